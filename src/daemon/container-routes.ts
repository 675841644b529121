import type { ContainerJson } from '../api/wire-types.ts';
import type { Container, CreateContainer } from '../domain/container.ts';
import type { ContainerService } from '../services/container-service.ts';
import type { Route } from './http-router.ts';
import { objectBody, optionalField, updateMaskField } from './request-body.ts';

/** Maps a container to its API shape. */
export function containerToJson(c: Container): ContainerJson {
  return {
    id: c.id,
    namespace: c.namespace,
    labels: { ...c.labels },
    spec: c.spec,
    rootfs: c.rootfs,
    runtime: c.runtime,
    image: c.image,
    snapshot_key: c.snapshotKey,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

/** A container create as a request body gives it (validated by the container service). */
export function createContainerCommand(value: unknown, what: string): CreateContainer {
  const body = objectBody(value, what);
  const runtime = optionalField<Record<string, unknown>>(body, 'runtime', 'object');
  return {
    id: body.id,
    spec: body.spec,
    rootfs: body.rootfs,
    labels: body.labels,
    image: body.image,
    runtime: runtime ? { name: runtime.name, options: runtime.options } : undefined,
  };
}

/** The `/v1/containers` routes. */
export function containerRoutes(containers: ContainerService): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/v1/containers',
      handler(req) {
        const command = createContainerCommand(req.body, 'create container');
        const container = containers.create(req.namespace, command, req.cause);
        return { status: 201, body: containerToJson(container) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/containers',
      handler(req) {
        return {
          body: containers.list(req.namespace, req.query.getAll('filter')).map(containerToJson),
        };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/containers/:id',
      handler(req) {
        return { body: containerToJson(containers.get(req.namespace, req.params.id!)) };
      },
    },
    {
      method: 'PATCH',
      pattern: '/v1/containers/:id',
      handler(req) {
        const body = objectBody(req.body, 'update container');
        const container = containers.update(
          req.namespace,
          req.params.id!,
          { labels: body.labels, spec: body.spec, updateMask: updateMaskField(body) },
          req.cause,
        );
        return { body: containerToJson(container) };
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/containers/:id',
      handler(req) {
        containers.delete(req.namespace, req.params.id!, req.cause);
        return { status: 200, body: { id: req.params.id } };
      },
    },
  ];
}
