import type { NamespaceJson } from '../api/wire-types.ts';
import type { Namespace } from '../domain/namespace.ts';
import type { NamespaceService } from '../services/namespace-service.ts';
import type { Route } from './http-router.ts';
import { objectBody, updateMaskField } from './request-body.ts';

/** Maps a namespace to its API shape. */
export function namespaceToJson(n: Namespace): NamespaceJson {
  return {
    name: n.name,
    labels: { ...n.labels },
    created_at: n.createdAt,
    updated_at: n.updatedAt,
  };
}

/** The `/v1/namespaces` routes (namespaces are not namespaced: the header plays no part). */
export function namespaceRoutes(namespaces: NamespaceService): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/v1/namespaces',
      handler(req) {
        const body = objectBody(req.body, 'create namespace');
        const created = namespaces.create({ name: body.name, labels: body.labels }, req.cause);
        return { status: 201, body: namespaceToJson(created) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/namespaces',
      handler() {
        return { body: namespaces.list().map(namespaceToJson) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/namespaces/:name',
      handler(req) {
        return { body: namespaceToJson(namespaces.get(req.params.name!)) };
      },
    },
    {
      method: 'PATCH',
      pattern: '/v1/namespaces/:name',
      handler(req) {
        const body = objectBody(req.body, 'update namespace');
        const command = {
          name: req.params.name,
          labels: body.labels,
          updateMask: updateMaskField(body),
        };
        return { body: namespaceToJson(namespaces.update(command, req.cause)) };
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/namespaces/:name',
      handler(req) {
        namespaces.delete(req.params.name!, req.cause);
        return { status: 200, body: { name: req.params.name } };
      },
    },
  ];
}
