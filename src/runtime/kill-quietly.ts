/** SIGKILLs `pid`, saying nothing when it has already exited (the callers' checks race with it). */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // it exited in between
  }
}
