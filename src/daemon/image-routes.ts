import type { ImageJson, ImportProgressJson, SnapshotJson } from '../api/image-types.ts';
import type { Image } from '../domain/image.ts';
import type { Snapshot } from '../domain/snapshot.ts';
import type { UnpackProgress } from '../ports/image-unpacker.ts';
import type { ImageService } from '../services/image-service.ts';
import type { SnapshotService } from '../services/snapshot-service.ts';
import type { Route } from './http-router.ts';
import { writeLine } from './ndjson.ts';
import { objectBody } from './request-body.ts';

/** Progress lines are sent at most this often (and on every phase change). */
const progressIntervalMs = 200;

/** Maps an image to its API shape. */
export function imageToJson(i: Image): ImageJson {
  return {
    name: i.name,
    namespace: i.namespace,
    labels: { ...i.labels },
    snapshot_key: i.snapshotKey,
    size: i.size,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}

function snapshotToJson(s: Snapshot): SnapshotJson {
  return { key: s.key, kind: s.kind, parent: s.parent, id: s.id, created_at: s.createdAt };
}

/** `/v1/images`, `/v1/snapshots` and `POST /v1/containers/{id}/commit`. */
export function imageRoutes(images: ImageService, snapshots: SnapshotService): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/v1/images',
      handler(req) {
        const body = objectBody(req.body, 'import image');
        const request = { name: body.name, source: body.source, labels: body.labels };
        // Refusals that need no unpacking come back as plain errors, before the stream starts.
        images.checkImport(req.namespace, request);
        return {
          // NDJSON: `{progress}` lines while it unpacks, then `{image}`; a failure is the last line.
          // A client that goes away aborts the import, which then leaves nothing behind.
          async stream(res) {
            let last = 0;
            let phase = '';
            const onProgress = (p: UnpackProgress): void => {
              const now = Date.now();
              if (p.phase === phase && now - last < progressIntervalMs) return;
              phase = p.phase;
              last = now;
              const progress: ImportProgressJson = { phase: p.phase, done: p.done, total: p.total };
              void writeLine(res, { progress });
            };
            const image = await images.import(req.namespace, request, req.cause, {
              signal: req.signal,
              onProgress,
            });
            await writeLine(res, { image: imageToJson(image) });
            res.end();
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/images',
      handler(req) {
        return { body: images.list(req.namespace).map(imageToJson) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/images/:name',
      handler(req) {
        return { body: imageToJson(images.get(req.namespace, req.params.name!)) };
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/images/:name',
      handler(req) {
        images.delete(req.namespace, req.params.name!, req.cause);
        return { body: { name: req.params.name } };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/containers/:id/commit',
      async handler(req) {
        const body = objectBody(req.body, 'commit container');
        const image = await images.commit(
          req.namespace,
          req.params.id!,
          { name: body.name, labels: body.labels },
          req.cause,
          req.signal,
        );
        return { status: 201, body: imageToJson(image) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/snapshots',
      handler(req) {
        return { body: snapshots.list(req.namespace).map(snapshotToJson) };
      },
    },
  ];
}
