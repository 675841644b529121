import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { invalidArgument } from '../domain/errors.ts';
import type { ContainerService } from '../services/container-service.ts';
import {
  containerToProto,
  createCommandFromProto,
  updateCommandFromProto,
  type ProtoContainer,
} from './container-messages.ts';
import { serverStream } from './stream-handler.ts';
import { unary, type Log } from './unary-handler.ts';

interface ContainerMessage {
  readonly container: ProtoContainer | null;
}

/** `containerd.services.containers.v1.Containers` over the container service. */
export function containersHandlers(
  containers: ContainerService,
  log: Log,
): UntypedServiceImplementation {
  return {
    Get: unary(log, (req: { id: string }, ctx) => ({
      container: containerToProto(containers.get(ctx.namespace(), req.id)),
    })),

    // A bad filter is InvalidArgument here, as in containerd's containers store.
    List: unary(log, (req: { filters: string[] }, ctx) => ({
      containers: containers.list(ctx.namespace(), req.filters).map(containerToProto),
    })),

    // `ctr containers ls` uses the stream; one message per container, as containerd sends them.
    ListStream: serverStream(log, async (req: { filters: string[] }, sink, ctx) => {
      for (const c of containers.list(ctx.namespace(), req.filters))
        await sink.send({ container: containerToProto(c) });
    }),

    Create: unary(log, (req: ContainerMessage, ctx) => {
      const created = containers.create(
        ctx.namespace(),
        createCommandFromProto(req.container),
        ctx.cause,
      );
      return { container: containerToProto(created) };
    }),

    Update: unary(
      log,
      (req: ContainerMessage & { update_mask: { paths: string[] } | null }, ctx) => {
        if (!req.container) throw invalidArgument('container is required');
        const command = updateCommandFromProto(req.container, req.update_mask?.paths ?? []);
        return {
          container: containerToProto(
            containers.update(ctx.namespace(), req.container.id, command, ctx.cause),
          ),
        };
      },
    ),

    Delete: unary(log, (req: { id: string }, ctx) => {
      containers.delete(ctx.namespace(), req.id, ctx.cause);
      return {};
    }),
  };
}
