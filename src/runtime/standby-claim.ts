import { closeSync, renameSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import path from 'node:path';
import { conmonReport } from './conmon-launcher.ts';
import type { RuncContext } from './runc-context.ts';
import type { TaskPaths } from './runtime-layout.ts';
import type { StandbyMonitor, StandbyMonitors } from './standby-monitors.ts';

/** The task that claims a standby monitor. */
export interface StandbyClaim {
  /** What the claim is for, in messages ("create default/web"). */
  readonly what: string;
  /** The task's paths; its bundle directory exists and is empty. */
  readonly paths: TaskPaths;
  /** The namespace's runc root (it exists). */
  readonly runcRoot: string;
  /** The container id runc will know the task by. */
  readonly id: string;
  /** The spec, as config.json holds it. */
  readonly config: string;
  /**
   * Readies the bundle once it is in place, before runc reads the spec: mounts the rootfs,
   * watches the monitor directory, starts forwarding output.
   */
  readonly setUp: () => Promise<void>;
}

/**
 * Makes a task from a standby monitor; resolves with the pid runc started. The slot directory
 * becomes the task's bundle (a rename, which runc's working directory and conmon's open files
 * follow), a symlink in its place keeps conmon's paths working, and the spec goes into the FIFO
 * runc waits on. runc finds its bundle path from its working directory only after it has read
 * the spec, so it records the task's bundle. Once runc has created the container, its state
 * moves from the standby root to the namespace's under the task's id: from then on nothing tells
 * this task from one conmon started for it, but the slot's symlink and conmon's command line.
 *
 * When the rename fails, the standby is discarded and the error thrown; after it, the task's
 * removal (task-cleanup.ts) also removes what the slot left, as its marker travelled along.
 */
export async function claimStandby(
  ctx: Pick<RuncContext, 'conmonTimeoutMs'>,
  standbys: StandbyMonitors,
  standby: StandbyMonitor,
  claim: StandbyClaim,
): Promise<number> {
  const { slot } = standby;
  const { paths } = claim;
  const deadline = Date.now() + ctx.conmonTimeoutMs;
  let fifo: number | undefined = standby.fifo;
  try {
    try {
      renameSync(slot.dir, paths.bundle); // replaces the empty bundle directory
    } catch (error) {
      await standbys.discard(standby);
      fifo = undefined;
      throw error;
    }
    symlinkSync(paths.bundle, slot.dir);
    await claim.setUp();
    // config.json is the FIFO runc reads; the same spec as a file replaces it once written.
    const next = path.join(paths.bundle, '.config.json');
    writeFileSync(next, claim.config);
    const writing = writeAll(fifo, claim.config);
    fifo = undefined;
    await writing;
    renameSync(next, paths.config);
  } finally {
    if (fifo !== undefined) closeSync(fifo); // runc reads EOF and gives up
  }
  const pid = await conmonReport(paths.init, standby.started, claim.what, deadline);
  renameSync(slot.runcState, path.join(claim.runcRoot, claim.id));
  return pid;
}

/**
 * Writes `text` to the FIFO `fd` (non-blocking) and closes it. A spec larger than the pipe
 * holds (64 KiB) waits for runc to read: the rest goes through a stream on the same fd.
 */
async function writeAll(fd: number, text: string): Promise<void> {
  const data = Buffer.from(text);
  let written = 0;
  try {
    written = writeSync(fd, data);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EAGAIN') {
      closeSync(fd);
      throw error;
    }
  }
  if (written === data.length) {
    closeSync(fd);
    return;
  }
  const stream = new Socket({ fd, readable: false, writable: true });
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(data.subarray(written), () => resolve());
  }).finally(() => stream.destroy());
}
