import { randomBytes } from 'node:crypto';
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { isTaskledgerError } from '../domain/errors.ts';
import { runcDeleteArgs } from './runc-args.ts';
import type { RuncContext } from './runc-context.ts';
import { unmountRootfs } from './rootfs-mounts.ts';
import type { ProcessPaths, TaskPaths } from './runtime-layout.ts';
import { claimedSlot, deleteSlotContainer, unlinkClaimedSlot } from './standby-slots.ts';
import { stopStdinRelay } from './stdin-relay.ts';
import { stopMonitor } from './stop-monitor.ts';
import { removeStoppedContainer } from './stopped-container-removal.ts';

/**
 * The monitor directories of a task: the init's and every exec's that exists on disk. One
 * directory listing, read synchronously (a thread-pool round trip would cost more than the read).
 */
export function taskProcesses(paths: TaskPaths): ProcessPaths[] {
  let execIds: string[];
  try {
    execIds = readdirSync(paths.execsDir);
  } catch {
    execIds = [];
  }
  return [paths.init, ...execIds.map((execId) => paths.exec(execId))];
}

/**
 * Removes every trace of a task, whatever state it was left in: the watches and forwarders, the
 * runc container (`delete --force`), its monitors and stdin relays, the rootfs mounts, conmon's
 * attach-socket links, the bundle directory and, for a task a standby monitor made, what is left
 * of its slot (standby-slots.ts). Idempotent, so both a failed create and recovery
 * can use it; the caller decides whether the task may go (it kills a task that still runs).
 */
export async function removeTask(ctx: RuncContext, namespace: string, id: string): Promise<void> {
  const paths = ctx.layout.task(namespace, id);
  const processes = taskProcesses(paths);
  const slot = claimedSlot(ctx.layout, paths);
  for (const process of processes) {
    ctx.watcher.unwatch(process.dir);
    ctx.forwarders.get(process.dir)?.abort();
    ctx.forwarders.delete(process.dir);
  }
  const runcRoot = ctx.layout.runcRoot(namespace);
  try {
    // `runc delete --force` only when the container is not simply stopped (see the removal).
    if (!(await removeStoppedContainer(path.join(runcRoot, id))))
      await ctx.runc.run(runcDeleteArgs(runcRoot, id, true));
  } catch (error) {
    if (!isTaskledgerError(error, 'NotFound')) throw error;
  }
  if (slot) await deleteSlotContainer(ctx, slot);
  // With the container gone, its monitors, mounts and socket links are independent of each
  // other; only the bundle waits for all of them (conmon writes into it until it exits).
  await Promise.all([
    unmountRootfs(paths.rootfs, ctx.runner),
    ...processes.map(async (process) => {
      await stopMonitor(process);
      await stopStdinRelay(process);
      await rm(path.join(ctx.layout.socketDir, process.monitorId), { force: true });
    }),
  ]);
  removeSoon(ctx, paths.bundle);
  if (slot) unlinkClaimedSlot(ctx.layout, slot);
}

/**
 * Removes a directory without waiting for its files: it leaves its place at once, in one rename
 * into the scratch directory (which the next start empties, should the daemon stop first), and
 * its files go after, through the thread pool. Removing a bundle's dozen files and FIFOs in
 * place took about 1.5 ms of every task deletion here. Where the rename fails, in place.
 */
function removeSoon(ctx: Pick<RuncContext, 'layout' | 'removals'>, dir: string): void {
  const parked = path.join(ctx.layout.scratchDir, `removed-${randomBytes(6).toString('hex')}`);
  try {
    renameSync(dir, parked);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return;
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  const removal = rm(parked, { recursive: true, force: true }).catch(() => undefined);
  ctx.removals.add(removal);
  void removal.finally(() => ctx.removals.delete(removal));
}
