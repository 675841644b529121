import {
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';
import { isTaskledgerError } from '../domain/errors.ts';
import { runcDeleteArgs } from './runc-args.ts';
import type { RuncContext } from './runc-context.ts';
import type { RuntimeLayout, StandbySlotPaths, TaskPaths } from './runtime-layout.ts';
import { stopMonitor } from './stop-monitor.ts';

/** What slot housekeeping uses of the runtime. */
export type SlotContext = Pick<RuncContext, 'layout' | 'runc'>;

// A standby's conmon exits a few milliseconds after its runc has read EOF.
const standbyGraceMs = 2_000;

/** The slot a task's bundle came from when a standby monitor made it (its marker travelled along). */
export function claimedSlot(layout: RuntimeLayout, paths: TaskPaths): StandbySlotPaths | undefined {
  let name: string;
  try {
    name = readFileSync(paths.standbyMarker, 'utf8').trim();
  } catch {
    return undefined;
  }
  return /^standby-[0-9a-f]+$/.test(name) ? layout.standbySlot(name) : undefined;
}

/**
 * Ends a slot no task claimed and removes it. Whatever still runs there stops first: a runc still
 * waiting for its spec gets EOF (a write end opened and closed), and conmon, which exits after its
 * runc, gets SIGKILL if it outstays {@link standbyGraceMs}. Then runc's state under the slot's
 * name (if any), conmon's socket link and the directory go.
 */
export async function endUnclaimedSlot(ctx: SlotContext, slot: StandbySlotPaths): Promise<void> {
  try {
    closeSync(openSync(slot.config, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // no reader: runc is gone already
  }
  await stopMonitor(slot.init, standbyGraceMs);
  await deleteSlotContainer(ctx, slot);
  rmSync(socketLink(ctx.layout, slot), { force: true });
  rmSync(slot.dir, { recursive: true, force: true });
}

/**
 * Removes the runc container still under a claimed slot's name: a claim cut between
 * `runc create` and the move of runc's state (see {@link sweepStandbySlots}).
 */
export async function deleteSlotContainer(ctx: SlotContext, slot: StandbySlotPaths): Promise<void> {
  if (!existsSync(slot.runcState)) return;
  try {
    await ctx.runc.run(runcDeleteArgs(ctx.layout.standbyRuncRoot, slot.name, true));
  } catch (error) {
    if (!isTaskledgerError(error, 'NotFound')) throw error;
  }
}

/**
 * Removes what a claimed slot leaves once its task is gone: conmon's socket link and the symlink
 * to the task's bundle. Only once conmon has exited: it writes its exit file through the symlink.
 */
export function unlinkClaimedSlot(layout: RuntimeLayout, slot: StandbySlotPaths): void {
  rmSync(socketLink(layout, slot), { force: true });
  // Only the symlink: a directory there would be another standby's slot.
  if (lstatSync(slot.dir, { throwIfNoEntry: false })?.isSymbolicLink() === true) rmSync(slot.dir);
}

/**
 * Puts the slots in order when the runtime starts, before anything looks at tasks. A slot no
 * task claimed is ended and removed: the daemon that prepared it is gone, and with it the write
 * end its runc waited on. A claimed slot whose task is gone is released. A claim cut between
 * `runc create` and the move of runc's state is finished, so that the task is found where every
 * task is (recovery then decides its fate from the log).
 */
export async function sweepStandbySlots(ctx: SlotContext): Promise<void> {
  const { layout } = ctx;
  let names: string[];
  try {
    names = readdirSync(layout.standbySlotsDir);
  } catch {
    return;
  }
  for (const name of names) {
    const slot = layout.standbySlot(name);
    const found = lstatSync(slot.dir, { throwIfNoEntry: false });
    if (!found) continue;
    if (!found.isSymbolicLink()) {
      await endUnclaimedSlot(ctx, slot);
      continue;
    }
    const bundle = readlinkSync(slot.dir);
    if (existsSync(bundle)) {
      finishClaim(layout, slot, bundle);
      continue;
    }
    await deleteSlotContainer(ctx, slot);
    unlinkClaimedSlot(layout, slot);
  }
}

/** Moves runc's state of a claimed slot to the task's namespace root, unless taken there. */
function finishClaim(layout: RuntimeLayout, slot: StandbySlotPaths, bundle: string): void {
  if (!existsSync(slot.runcState)) return;
  const namespaceDir = path.dirname(bundle);
  if (path.dirname(namespaceDir) !== layout.bundlesDir) return;
  const root = layout.runcRoot(path.basename(namespaceDir));
  const target = path.join(root, path.basename(bundle));
  // Taken: the task's removal deletes the container still under the slot's name.
  if (existsSync(target)) return;
  mkdirSync(root, { recursive: true });
  renameSync(slot.runcState, target);
}

/** conmon's link to the slot directory in the socket directory (named by its `-u`). */
const socketLink = (layout: RuntimeLayout, slot: StandbySlotPaths): string =>
  path.join(layout.socketDir, slot.init.monitorId);
