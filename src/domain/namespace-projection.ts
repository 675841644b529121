import { containerProjection } from './container-projection.ts';
import { imageProjection } from './image-projection.ts';
import { evolveNamespace, type Namespace } from './namespace.ts';
import type { Projection, ProjectionRow } from './projection.ts';
import { snapshotProjection } from './snapshot-projection.ts';

/**
 * The projections whose rows live in a namespace: the first of them made in it makes the
 * namespace exist, and it can be removed only once it holds none. Their names say what it holds.
 */
export const namespaceHolders: readonly Projection<unknown>[] = [
  containerProjection,
  imageProjection,
  snapshotProjection,
];

/** The namespace a stream counts for: its own (`namespace/NAME`), or its objects'. */
function namespaceOf(streamId: string): string | undefined {
  if (streamId.startsWith('namespace/')) return streamId.slice('namespace/'.length);
  for (const holder of namespaceHolders) {
    const key = holder.keyOf(streamId);
    if (key) return key.namespace as string;
  }
  return undefined;
}

/**
 * The `namespaces` table: one row per namespace. Unlike the other projections, many streams
 * fold into one row: the namespace's own, and those of the objects created in it.
 */
export const namespaceProjection: Projection<Namespace> = {
  name: 'namespaces',
  version: 1,
  table: 'namespaces',
  keyColumns: ['name'],
  columns: ['name', 'labels', 'created_at', 'updated_at'],
  keyOf(streamId) {
    const name = namespaceOf(streamId);
    return name === undefined ? undefined : { name };
  },
  evolve(state, event) {
    return evolveNamespace(state, event, namespaceOf(event.streamId)!);
  },
  toRow(n): ProjectionRow {
    return {
      name: n.name,
      labels: JSON.stringify(n.labels),
      created_at: n.createdAt,
      updated_at: n.updatedAt,
    };
  },
  // A root compacted before namespaces were recorded: the namespaces its objects were in at the
  // cut, as if each was created with the first of them still there.
  seed(rows) {
    const seeded = new Map<string, Namespace>();
    for (const holder of namespaceHolders)
      for (const row of rows[holder.name] ?? []) {
        const name = row.namespace as string;
        const at = row.created_at as string;
        const known = seeded.get(name);
        if (!known || at < known.createdAt)
          seeded.set(name, { name, labels: {}, createdAt: at, updatedAt: at });
      }
    return [...seeded.values()];
  },
  fromRow(row): Namespace {
    return {
      name: row.name as string,
      labels: JSON.parse(row.labels as string) as Record<string, string>,
      createdAt: row.created_at as string,
      updatedAt: row.updated_at as string,
    };
  },
};
