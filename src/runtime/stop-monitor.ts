import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { killQuietly } from './kill-quietly.ts';
import { isMonitorAlive, readPidFile } from './monitor-files.ts';
import type { ProcessPaths } from './runtime-layout.ts';

const monitorGraceMs = 2_000;
// conmon exits within a few milliseconds of writing `exit` (it fsyncs the log first), so the
// first checks come every millisecond and later ones every ten.
const monitorFirstChecks = 20;
const monitorCheckMs = 10;

/**
 * Waits for a process's conmon to finish (it drains output and writes `exit` after the process
 * dies), and SIGKILLs it after `graceMs`. This bounded wait is cleanup only: exits are learnt
 * from inotify, never from here. Once `exit` is there, conmon has written its last byte into the
 * monitor directory (it only unlinks its attach socket and exits after it), so there is nothing
 * to wait for.
 */
export async function stopMonitor(process: ProcessPaths, graceMs = monitorGraceMs): Promise<void> {
  if (existsSync(process.exitFile)) return;
  for (let check = 0, waited = 0; waited < graceMs; check += 1) {
    if (!isMonitorAlive(process)) return;
    const pause = check < monitorFirstChecks ? 1 : monitorCheckMs;
    await sleep(pause);
    waited += pause;
  }
  const pid = await readPidFile(process.conmonPidFile);
  if (pid !== undefined && isMonitorAlive(process)) killQuietly(pid);
}
