import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Namespace } from '../domain/namespace.ts';
import type { NamespaceService } from '../services/namespace-service.ts';
import { unary, type Log } from './unary-handler.ts';

/** containerd's `namespaces.v1.Namespace`. */
interface NamespaceMessage {
  readonly name: string;
  readonly labels: Record<string, string>;
}

const toMessage = (n: Namespace): NamespaceMessage => ({ name: n.name, labels: { ...n.labels } });

/**
 * `containerd.services.namespaces.v1.Namespaces` over the namespace service: what `ctr namespaces
 * ls|create|label|rm` call. Namespaces are not namespaced: the request's header plays no part.
 */
export function namespacesHandlers(
  namespaces: NamespaceService,
  log: Log,
): UntypedServiceImplementation {
  return {
    List: unary(log, () => ({ namespaces: namespaces.list().map(toMessage) })),
    Get: unary(log, (req: { name: string }) => ({
      namespace: toMessage(namespaces.get(req.name)),
    })),
    Create: unary(log, (req: { namespace: NamespaceMessage | null }, ctx) => ({
      namespace: toMessage(
        namespaces.create({ name: req.namespace?.name, labels: req.namespace?.labels }, ctx.cause),
      ),
    })),
    Update: unary(
      log,
      (
        req: { namespace: NamespaceMessage | null; update_mask: { paths: string[] } | null },
        ctx,
      ) => ({
        namespace: toMessage(
          namespaces.update(
            {
              name: req.namespace?.name,
              labels: req.namespace?.labels,
              updateMask: req.update_mask?.paths ?? [],
            },
            ctx.cause,
          ),
        ),
      }),
    ),
    Delete: unary(log, (req: { name: string }, ctx) => {
      namespaces.delete(req.name, ctx.cause);
      return {};
    }),
  };
}
