import { closeSync, constants, openSync } from 'node:fs';
import { lstat, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { unavailable } from '../domain/errors.ts';
import { isLiveState, readProcessStat } from './process-stat.ts';

// How often the init's liveness is checked while waiting on the FIFO (runc checks every 100 ms).
const livenessCheckMs = 100;

/**
 * Starts a created runc container the way `runc start` does, without running runc: a created
 * container's init process waits, blocked, to open `<runc root>/<id>/exec.fifo` for writing;
 * `runc start` opens the FIFO for reading, reads what init writes (one byte, then init execs and
 * the FIFO sees EOF) and removes the FIFO, whose absence is what makes runc report the
 * container running (libcontainer's `exec()`, runc 1.0 to 1.1). Like runc, it returns once init
 * has exec'd the process (EOF on the FIFO). Every runc process costs about 30 ms here, 22 ms of
 * it Go's start-up: a third of a short task's lifecycle.
 *
 * Resolves true once the container runs. Resolves false, having changed nothing, when there is
 * no FIFO (the container is not in the created state, or the runtime keeps no FIFO there) or
 * when the init died before it could be started: the caller then runs `runc start`, whose answer
 * and message are authoritative. `containerDir` is runc's state directory of the container.
 */
export async function startThroughExecFifo(
  containerDir: string,
  initPid: number,
  timeoutMs: number,
): Promise<boolean> {
  const fifo = path.join(containerDir, 'exec.fifo');
  const found = await lstat(fifo).catch(() => undefined);
  if (!found?.isFIFO()) return false;
  const deadline = Date.now() + timeoutMs;
  let timedOut = false;
  let done = false;
  // A blocking open waits for a writer forever if init is gone: the watchdog ends the wait by
  // opening the write end itself, so the read below sees EOF with no data. Never once done:
  // it would wake the `runc start` the caller may be running by then.
  const watchdog = setInterval(() => {
    timedOut = Date.now() > deadline;
    void readProcessStat(initPid).then((stat) => {
      if (!done && (timedOut || !stat || !isLiveState(stat))) releaseReader(fifo);
    });
  }, livenessCheckMs);
  let started: boolean;
  try {
    started = await releaseInit(fifo);
  } finally {
    done = true;
    clearInterval(watchdog);
  }
  if (!started && timedOut)
    throw unavailable(`starting container ${path.basename(containerDir)} timed out`);
  return started;
}

/** Opens the FIFO (blocking until a writer comes), takes init's byte, removes the FIFO. */
async function releaseInit(fifo: string): Promise<boolean> {
  const handle = await open(fifo, constants.O_RDONLY);
  try {
    const buffer = Buffer.alloc(16);
    const readSome = async (): Promise<number> =>
      (await handle.read(buffer, 0, buffer.length)).bytesRead;
    if ((await readSome()) === 0) return false; // init is gone, or the watchdog woke us
    // Removed first, then drained: a crash in between must not leave a running container that
    // runc still reports as created.
    await unlink(fifo);
    while ((await readSome()) > 0); // EOF: init has exec'd the process
    return true;
  } finally {
    await handle.close();
  }
}

/** Opens and closes the FIFO's write end, waking a reader blocked in open; ENXIO: none yet. */
function releaseReader(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // no reader waiting yet (ENXIO) or the FIFO is gone: the next check tries again
  }
}
