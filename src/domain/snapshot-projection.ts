import { parseStreamId, type Projection, type ProjectionRow } from './projection.ts';
import { evolveSnapshot, type Snapshot, type SnapshotKind } from './snapshot.ts';

/** Parses `kind/namespace/encoded-key` stream ids (snapshots, images), decoding the key. */
export function encodedKeyOf(
  streamId: string,
  kind: string,
): { namespace: string; key: string } | undefined {
  const parsed = parseStreamId(streamId, kind);
  if (!parsed) return undefined;
  try {
    return { namespace: parsed.namespace, key: decodeURIComponent(parsed.id) };
  } catch {
    return undefined; // not one of ours: we always encode
  }
}

/** The `snapshots` table: one row per snapshot, active or committed. */
export const snapshotProjection: Projection<Snapshot> = {
  name: 'snapshots',
  version: 1,
  table: 'snapshots',
  keyColumns: ['namespace', 'key'],
  columns: ['namespace', 'key', 'kind', 'parent', 'snapshot_id', 'created_at', 'updated_at'],
  keyOf(streamId) {
    return encodedKeyOf(streamId, 'snapshot');
  },
  evolve: evolveSnapshot,
  toRow(s): ProjectionRow {
    return {
      namespace: s.namespace,
      key: s.key,
      kind: s.kind,
      parent: s.parent,
      snapshot_id: s.id,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
    };
  },
  fromRow(row): Snapshot {
    return {
      namespace: row.namespace as string,
      key: row.key as string,
      kind: row.kind as SnapshotKind,
      parent: row.parent as string,
      id: row.snapshot_id as number,
      createdAt: row.created_at as string,
      updatedAt: row.updated_at as string,
    };
  },
};
