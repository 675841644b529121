import type { Observable } from 'rxjs';
import { containerStreamId } from '../domain/container.ts';
import { containerProjection } from '../domain/container-projection.ts';
import { notFound } from '../domain/errors.ts';
import type { EventCause, StoredEvent } from '../domain/event-envelope.ts';
import {
  committedKey,
  decideCreateCommitted,
  decidePrepare,
  decideRemove,
  parentChain,
  snapshotStreamId,
  type Snapshot,
} from '../domain/snapshot.ts';
import { snapshotProjection } from '../domain/snapshot-projection.ts';
import type { AppendRequest, EventStore } from '../ports/event-store.ts';
import type { Mount } from '../ports/runtime.ts';
import type { SnapshotPaths, SnapshotStorage } from '../ports/snapshot-storage.ts';
import { collectGarbage, sweepDisk, type GcContext, type GcReport } from './snapshot-gc.ts';

/** A snapshot whose directories exist but whose events are not in the log yet. */
export interface StagedSnapshot {
  /** Its key. */
  readonly key: string;
  /** Its directory number. */
  readonly id: number;
  /** Its directories. */
  readonly paths: SnapshotPaths;
  /** The append that records it, decided against the current state: build it right before appending. */
  requests(): AppendRequest[];
  /** Call once the append committed: the log owns the directory now. */
  done(): void;
  /** Call when it failed: removes the directories and frees the id. */
  abandon(): Promise<void>;
}

/** Snapshots of root filesystems: containerd's snapshot service over one overlayfs snapshotter. */
export interface SnapshotService {
  /**
   * Makes the directories of an active snapshot `key` over the committed `parentKey` (synchronous,
   * no copy: an overlay upper starts empty); the caller appends its requests with its own events.
   */
  prepareActive(namespace: string, key: string, parentKey: string): StagedSnapshot;
  /** Makes the directories of a future committed base over `parentKey` ('' for none); the caller fills its `fs`. */
  stageCommitted(namespace: string, parentKey: string): StagedSnapshot;
  /** One snapshot, if it exists. */
  get(namespace: string, key: string): Snapshot | undefined;
  /** The snapshots of a namespace. */
  list(namespace: string): Snapshot[];
  /** Snapshots whose parent is `key`. */
  children(namespace: string, key: string): Snapshot[];
  /** The mounts that make snapshot `key`'s filesystem (a task's rootfs); NotFound when missing. */
  mounts(namespace: string, key: string): Mount[];
  /** The `/snapshot/remove` append for `key`; FailedPrecondition naming `user` when it has children. */
  removeRequest(namespace: string, key: string, user?: string): AppendRequest;
  /** Appends that must go with a container's delete: the removal of its active snapshot. */
  forContainerDelete(namespace: string, containerId: string): AppendRequest[];
  /** Removes what nothing references, in the log and then on disk; the daemon runs it on start. */
  collectGarbage(cause: EventCause): Promise<GcReport>;
  /** Stops listening and waits for a disk sweep under way. */
  close(): Promise<void>;
}

/** What the snapshot service needs. */
export interface SnapshotServiceDeps {
  /** The log and its projections. */
  readonly store: EventStore;
  /** The directories. */
  readonly storage: SnapshotStorage;
  /** Every committed event: a `/snapshot/remove` triggers the removal of its directory. */
  readonly committed: Observable<StoredEvent>;
  /** Diagnostics. */
  readonly log: (line: string) => void;
}

/** Creates the snapshot service. */
export function createSnapshotService(deps: SnapshotServiceDeps): SnapshotService {
  const { store, storage } = deps;
  const load = (ns: string, key: string): Snapshot | undefined =>
    store.load(snapshotProjection, snapshotStreamId(ns, key));
  // Ids only grow and are never reused, so a directory's number names one snapshot forever.
  let lastId = store
    .list(snapshotProjection)
    .reduce((max, s) => Math.max(max, s.id), storage.highestIdSync());
  const reserved = new Set<number>();
  const gc: GcContext = { store, storage, reserved: (id) => reserved.has(id) };

  const stage = (
    ns: string,
    key: string | undefined,
    parentKey: string,
    active: boolean,
  ): StagedSnapshot => {
    const id = ++lastId;
    const snapshotKey = key ?? committedKey(id);
    // Check before touching the disk: the common refusals need no cleanup.
    decidePrepare(load(ns, snapshotKey), {
      key: snapshotKey,
      parentKey,
      parent: load(ns, parentKey),
      id,
    });
    reserved.add(id);
    try {
      storage.create(id, active);
    } catch (error) {
      // Half-made (out of space, say): remove it, unless it was someone else's to begin with.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        void storage.remove(String(id)).catch(() => undefined);
      }
      reserved.delete(id);
      throw error;
    }
    return {
      key: snapshotKey,
      id,
      paths: storage.paths(id),
      requests() {
        const streamId = snapshotStreamId(ns, snapshotKey);
        const expectedVersion = store.streamVersion(streamId);
        const command = { key: snapshotKey, parentKey, parent: load(ns, parentKey), id };
        const current = load(ns, snapshotKey);
        const events = active
          ? decidePrepare(current, command)
          : decideCreateCommitted(current, command);
        return [{ streamId, namespace: ns, expectedVersion, events }];
      },
      done() {
        reserved.delete(id);
      },
      async abandon() {
        try {
          await storage.remove(String(id));
        } finally {
          reserved.delete(id);
        }
      },
    };
  };

  let sweeping: Promise<void> | undefined;
  let again = false;
  const sweep = (): void => {
    if (sweeping) {
      again = true;
      return;
    }
    sweeping = (async () => {
      do {
        again = false;
        try {
          await sweepDisk(gc);
        } catch (error) {
          deps.log(
            `removing snapshot directories failed (the next start retries): ${String(error)}`,
          );
        }
      } while (again);
      sweeping = undefined;
    })();
  };
  const removeRequest = (ns: string, key: string, user?: string): AppendRequest => {
    const streamId = snapshotStreamId(ns, key);
    const expectedVersion = store.streamVersion(streamId);
    const children = store.list(snapshotProjection, { namespace: ns, parent: key });
    const events = decideRemove(load(ns, key), key, children, user);
    return { streamId, namespace: ns, expectedVersion, events };
  };
  const subscription = deps.committed.subscribe((e) => {
    if (e.topic === '/snapshot/remove') sweep();
  });

  return {
    prepareActive: (ns, key, parentKey) => stage(ns, key, parentKey, true),
    stageCommitted: (ns, parentKey) => stage(ns, undefined, parentKey, false),
    get: load,
    list: (ns) => store.list(snapshotProjection, { namespace: ns }),
    children: (ns, key) => store.list(snapshotProjection, { namespace: ns, parent: key }),
    mounts(ns, key) {
      const snapshot = load(ns, key);
      if (!snapshot) throw notFound(`snapshot "${key}" not found in namespace "${ns}"`);
      const lowers = parentChain(snapshot, (k) => load(ns, k)).map((s) => s.id);
      return storage.mounts(snapshot.id, lowers);
    },
    removeRequest,
    forContainerDelete(ns, containerId) {
      const container = store.load(containerProjection, containerStreamId(ns, containerId));
      const key = container?.snapshotKey;
      // Only a snapshot this service made; a key some other client named is not ours to remove.
      if (!key || load(ns, key)?.kind !== 'active') return [];
      return [removeRequest(ns, key)];
    },
    collectGarbage: (cause) => collectGarbage(gc, cause),
    async close() {
      subscription.unsubscribe();
      await sweeping;
    },
  };
}
