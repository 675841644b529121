import { evolveNamespace, type Namespace } from './namespace.ts';
import { parseStreamId, type Projection, type ProjectionRow } from './projection.ts';

/** Streams whose first event makes their namespace exist (see {@link evolveNamespace}). */
const objectKinds = ['container', 'image', 'snapshot'];

/** The namespace a stream counts for: its own (`namespace/NAME`), or its objects'. */
function namespaceOf(streamId: string): string | undefined {
  if (streamId.startsWith('namespace/')) return streamId.slice('namespace/'.length);
  const kind = streamId.slice(0, streamId.indexOf('/'));
  return objectKinds.includes(kind) ? parseStreamId(streamId, kind)?.namespace : undefined;
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
    for (const table of ['containers', 'images', 'snapshots'])
      for (const row of rows[table] ?? []) {
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
