import { alreadyExists, failedPrecondition, invalidArgument, notFound } from './errors.ts';
import type { NewEvent, StoredEvent } from './event-envelope.ts';
import type { Timestamp } from './timestamp.ts';

/** The snapshotter named in every snapshot event (containerd's overlay snapshotter is `overlayfs`). */
export const snapshotterName = 'overlayfs';

/** Snapshot kinds, after containerd's: active ones are writable, committed ones are read-only bases. */
export const snapshotKinds = ['active', 'committed'] as const;

/** One of {@link snapshotKinds}. */
export type SnapshotKind = (typeof snapshotKinds)[number];

/** A root filesystem snapshot: a directory layered over its parent chain. */
export interface Snapshot {
  /** Namespace the snapshot belongs to. */
  readonly namespace: string;
  /** Its key (active) or name (committed); a container's active snapshot is keyed by the container id. */
  readonly key: string;
  /** Active (a container's writable layer) or committed (a read-only base). */
  readonly kind: SnapshotKind;
  /** Key of the committed snapshot below it; empty for a bottom layer. */
  readonly parent: string;
  /** Number of its directory under the snapshots root (`<root>/snapshots/<id>`), unique on disk. */
  readonly id: number;
  /** When it was prepared. */
  readonly createdAt: Timestamp;
  /** When it last changed (its commit). */
  readonly updatedAt: Timestamp;
}

/** The stream of one snapshot; keys may hold `/` or `:`, so they are encoded. */
export function snapshotStreamId(namespace: string, key: string): string {
  return `snapshot/${namespace}/${encodeURIComponent(key)}`;
}

/** The key of a committed base whose directory is `id`: `:` keeps it apart from container ids. */
export const committedKey = (id: number): string => `base:${id}`;

/** Throws InvalidArgument unless `key` is a usable snapshot key. */
export function validateSnapshotKey(key: unknown): string {
  if (typeof key !== 'string' || key === '')
    throw invalidArgument('snapshot key must be a non-empty string');
  if (key.length > 255 || key.includes('\0')) {
    throw invalidArgument(`snapshot key ${JSON.stringify(key.slice(0, 40))} is invalid`);
  }
  return key;
}

/**
 * Decides `/snapshot/prepare`: a new active snapshot over `parent` (a committed snapshot, or
 * none), living in directory `id`. AlreadyExists when the key is taken.
 */
export function decidePrepare(
  current: Snapshot | undefined,
  command: { key: string; parentKey: string; parent: Snapshot | undefined; id: number },
): NewEvent[] {
  const key = validateSnapshotKey(command.key);
  if (current) throw alreadyExists(`snapshot "${key}" already exists`);
  if (command.parentKey !== '') {
    if (!command.parent) throw notFound(`parent snapshot "${command.parentKey}" not found`);
    if (command.parent.kind !== 'committed') {
      throw failedPrecondition(
        `parent snapshot "${command.parentKey}" is ${command.parent.kind}: only committed snapshots can be parents`,
      );
    }
  }
  return [
    {
      topic: '/snapshot/prepare',
      // `id` is beyond containerd's SnapshotPrepare: where the snapshot lives, for rebuilds.
      event: { key, parent: command.parentKey, snapshotter: snapshotterName, id: command.id },
    },
  ];
}

/**
 * Decides `/snapshot/commit` of an active snapshot in place: its key becomes the committed name
 * (taskledger names bases `base:<id>`, so key and name are the same string).
 */
export function decideCommit(current: Snapshot | undefined, key: string): NewEvent[] {
  if (!current) throw notFound(`snapshot "${key}" not found`);
  if (current.kind !== 'active') throw failedPrecondition(`snapshot "${key}" is already committed`);
  return [{ topic: '/snapshot/commit', event: { key, name: key, snapshotter: snapshotterName } }];
}

/**
 * Decides a committed base made in one go (an import, a container commit): `/snapshot/prepare`
 * then `/snapshot/commit` of the same key, as containerd's unpacker records a layer.
 */
export function decideCreateCommitted(
  current: Snapshot | undefined,
  command: { key: string; parentKey: string; parent: Snapshot | undefined; id: number },
): NewEvent[] {
  const prepare = decidePrepare(current, command);
  return [
    ...prepare,
    {
      topic: '/snapshot/commit',
      event: { key: command.key, name: command.key, snapshotter: snapshotterName },
    },
  ];
}

/**
 * Decides `/snapshot/remove`. `children` are the snapshots whose parent this is: a base with
 * children is in use and stays (FailedPrecondition naming `user`, who holds it).
 */
export function decideRemove(
  current: Snapshot | undefined,
  key: string,
  children: readonly Snapshot[],
  user?: string,
): NewEvent[] {
  if (!current) throw notFound(`snapshot "${key}" not found`);
  if (children.length > 0) {
    throw failedPrecondition(
      `snapshot "${key}" is in use by ${user ?? `snapshot "${children[0]!.key}"`}`,
    );
  }
  return [{ topic: '/snapshot/remove', event: { key, snapshotter: snapshotterName } }];
}

/** Applies one event of a snapshot stream. */
export function evolveSnapshot(state: Snapshot | undefined, e: StoredEvent): Snapshot | undefined {
  const p = e.event;
  switch (e.topic) {
    case '/snapshot/prepare':
      return {
        namespace: e.namespace,
        key: p.key as string,
        kind: 'active',
        parent: p.parent as string,
        id: p.id as number,
        createdAt: e.timestamp,
        updatedAt: e.timestamp,
      };
    case '/snapshot/commit':
      return (
        state && { ...state, key: p.name as string, kind: 'committed', updatedAt: e.timestamp }
      );
    case '/snapshot/remove':
      return undefined;
    default:
      return state;
  }
}

/**
 * The chain below an active or committed snapshot, nearest first (overlay's lowerdir order).
 * `lookup` reads one snapshot; a missing link or a cycle is a FailedPrecondition.
 */
export function parentChain(
  snapshot: Snapshot,
  lookup: (key: string) => Snapshot | undefined,
): Snapshot[] {
  const chain: Snapshot[] = [];
  const seen = new Set([snapshot.key]);
  for (let key = snapshot.parent; key !== '';) {
    const parent = lookup(key);
    if (!parent) throw failedPrecondition(`snapshot "${snapshot.key}" lost its parent "${key}"`);
    if (seen.has(key))
      throw failedPrecondition(`snapshot "${snapshot.key}" has a parent cycle at "${key}"`);
    seen.add(key);
    chain.push(parent);
    key = parent.parent;
  }
  return chain;
}
