import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { failedPrecondition } from '../domain/errors.ts';

/** The daemon's claim on a root directory; released on clean shutdown. */
export interface RootLock {
  /** Removes the pid file if it is still ours. */
  release(): void;
}

/**
 * Claims `root` for this process with `root/daemon.pid`, created exclusively. A pid file whose
 * process is gone (a crash) is taken over; a live one means another daemon serves this root.
 */
export function acquireRootLock(root: string, what = 'daemon'): RootLock {
  const path = join(root, 'daemon.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n${what}\n`);
      closeSync(fd);
      return {
        release() {
          if (existsSync(path) && ownerPid(path) === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = ownerPid(path);
      if (pid !== undefined && isAlive(pid)) {
        const holder = readFileSync(path, 'utf8').split('\n')[1] || 'daemon';
        throw failedPrecondition(
          `root ${root} is in use by a taskledger ${holder} (pid ${pid}); stop it first or use another --root`,
        );
      }
      rmSync(path, { force: true }); // stale: its process died without cleaning up
    }
  }
  throw failedPrecondition(`cannot lock root ${root}: another process keeps claiming it`);
}

function ownerPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
