import { evolveImage, type Image } from './image.ts';
import type { Projection, ProjectionRow } from './projection.ts';
import { encodedKeyOf } from './snapshot-projection.ts';

/** The `images` table: one row per image. */
export const imageProjection: Projection<Image> = {
  name: 'images',
  version: 1,
  table: 'images',
  keyColumns: ['namespace', 'name'],
  columns: ['namespace', 'name', 'labels', 'snapshot_key', 'size', 'created_at', 'updated_at'],
  keyOf(streamId) {
    const parsed = encodedKeyOf(streamId, 'image');
    return parsed && { namespace: parsed.namespace, name: parsed.key };
  },
  evolve: evolveImage,
  toRow(i): ProjectionRow {
    return {
      namespace: i.namespace,
      name: i.name,
      labels: JSON.stringify(i.labels),
      snapshot_key: i.snapshotKey,
      size: i.size,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
    };
  },
  fromRow(row): Image {
    return {
      namespace: row.namespace as string,
      name: row.name as string,
      labels: JSON.parse(row.labels as string) as Record<string, string>,
      snapshotKey: row.snapshot_key as string,
      size: row.size as number,
      createdAt: row.created_at as string,
      updatedAt: row.updated_at as string,
    };
  },
};
