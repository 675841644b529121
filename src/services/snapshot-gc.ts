import { containerProjection } from '../domain/container-projection.ts';
import type { EventCause } from '../domain/event-envelope.ts';
import { imageProjection } from '../domain/image-projection.ts';
import { decideRemove, snapshotStreamId, type Snapshot } from '../domain/snapshot.ts';
import { snapshotProjection } from '../domain/snapshot-projection.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { SnapshotStorage } from '../ports/snapshot-storage.ts';

/** What a collection removed. */
export interface GcReport {
  /** Snapshots nothing held (`namespace/key`), recorded as removed. */
  readonly removedSnapshots: string[];
  /** Entries of the snapshots directory no snapshot owns (a crash mid-import or mid-prepare), deleted. */
  readonly removedEntries: string[];
}

/** What the collector needs. */
export interface GcContext {
  /** The log and its projections. */
  readonly store: EventStore;
  /** The directories. */
  readonly storage: SnapshotStorage;
  /** Ids an operation under way has reserved: their directories are not garbage yet. */
  readonly reserved: (id: number) => boolean;
}

/**
 * Removes, first from the log, snapshots nothing holds (an active one with no container, a
 * committed one with no image and no child), then from disk every entry of the snapshots
 * directory that no snapshot in the log owns. The log goes first: a crash in between leaves
 * only disk garbage, which the next collection finds.
 */
export async function collectGarbage(ctx: GcContext, cause: EventCause): Promise<GcReport> {
  const removedSnapshots: string[] = [];
  // Removing a child can free its parent: go round until nothing changes.
  for (let changed = true; changed;) {
    changed = false;
    const all = ctx.store.list(snapshotProjection);
    for (const s of all) {
      if (isHeld(ctx.store, s, all)) continue;
      const streamId = snapshotStreamId(s.namespace, s.key);
      const expectedVersion = ctx.store.streamVersion(streamId);
      const events = decideRemove(s, s.key, []);
      ctx.store.append([{ streamId, namespace: s.namespace, expectedVersion, events }], cause);
      removedSnapshots.push(`${s.namespace}/${s.key}`);
      changed = true;
    }
  }
  return { removedSnapshots, removedEntries: await sweepDisk(ctx) };
}

/** Deletes the entries of the snapshots directory that no snapshot owns and no operation reserved. */
export async function sweepDisk(ctx: GcContext): Promise<string[]> {
  const entries = await ctx.storage.entries();
  // Decide in one synchronous step: ids are never reused, so an entry that is neither owned nor
  // reserved now stays garbage, while an operation finishing during the removals below is safe.
  const owned = new Set(ctx.store.list(snapshotProjection).map((s) => String(s.id)));
  const garbage = entries.filter(
    (name) => !owned.has(name) && !(/^[1-9][0-9]*$/.test(name) && ctx.reserved(Number(name))),
  );
  for (const name of garbage) await ctx.storage.remove(name);
  return garbage;
}

function isHeld(store: EventStore, s: Snapshot, all: readonly Snapshot[]): boolean {
  if (all.some((other) => other.namespace === s.namespace && other.parent === s.key)) return true;
  if (s.kind === 'active') {
    return (
      store.list(containerProjection, { namespace: s.namespace, snapshot_key: s.key }).length > 0
    );
  }
  return store.list(imageProjection, { namespace: s.namespace, snapshot_key: s.key }).length > 0;
}
