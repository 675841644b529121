import { evolveContainer, type Container } from './container.ts';
import { parseStreamId, type Projection, type ProjectionRow } from './projection.ts';

/** The `containers` table: one row per live container. */
export const containerProjection: Projection<Container> = {
  name: 'containers',
  version: 1,
  table: 'containers',
  keyColumns: ['namespace', 'id'],
  columns: [
    'namespace',
    'id',
    'labels',
    'spec',
    'rootfs',
    'runtime_name',
    'runtime_options',
    'image',
    'snapshot_key',
    'created_at',
    'updated_at',
  ],
  keyOf(streamId) {
    return parseStreamId(streamId, 'container');
  },
  evolve: evolveContainer,
  toRow(c): ProjectionRow {
    return {
      namespace: c.namespace,
      id: c.id,
      labels: JSON.stringify(c.labels),
      spec: JSON.stringify(c.spec),
      rootfs: c.rootfs,
      runtime_name: c.runtime.name,
      runtime_options: c.runtime.options === null ? null : JSON.stringify(c.runtime.options),
      image: c.image,
      snapshot_key: c.snapshotKey,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
    };
  },
  fromRow(row): Container {
    return {
      namespace: row.namespace as string,
      id: row.id as string,
      labels: JSON.parse(row.labels as string) as Record<string, string>,
      spec: JSON.parse(row.spec as string) as Record<string, unknown>,
      rootfs: row.rootfs as string,
      runtime: {
        name: row.runtime_name as string,
        options:
          row.runtime_options === null
            ? null
            : (JSON.parse(row.runtime_options as string) as unknown),
      },
      image: row.image as string,
      snapshotKey: row.snapshot_key as string,
      createdAt: row.created_at as string,
      updatedAt: row.updated_at as string,
    };
  },
};
