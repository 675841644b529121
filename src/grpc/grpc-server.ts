import { chmodSync, rmSync } from 'node:fs';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Clock } from '../ports/clock.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { ContainerService } from '../services/container-service.ts';
import type { EventBus } from '../services/event-bus.ts';
import type { NamespaceService } from '../services/namespace-service.ts';
import type { TaskService } from '../services/task-service.ts';
import { loadContainerdApi } from './containerd-api.ts';
import { containersHandlers } from './containers-handlers.ts';
import { subscribeHandler } from './events-handler.ts';
import { metricsHandler } from './metrics-handler.ts';
import { namespacesHandlers } from './namespaces-handlers.ts';
import { introspectionHandlers, leasesHandlers, versionHandlers } from './system-handlers.ts';
import { tasksHandlers } from './tasks-handlers.ts';
import type { Log } from './unary-handler.ts';

/** What the containerd-compatible gRPC server serves from. */
export interface GrpcServerOptions {
  /** Path of the unix socket to serve on (created with mode 0600, replacing a stale one). */
  readonly address: string;
  /** The container service calls are made on. */
  readonly containers: ContainerService;
  /** The task service calls are made on. */
  readonly tasks: TaskService;
  /** The namespace service calls are made on. */
  readonly namespaces: NamespaceService;
  /** The log, for where live event subscriptions start. */
  readonly store: EventStore;
  /** Live events for `Events/Subscribe`. */
  readonly bus: EventBus;
  /** Where unexpected failures are reported. */
  readonly log: Log;
  /** What time metrics samples are stamped with. */
  readonly clock: Clock;
}

/** A running gRPC server. */
export interface GrpcServer {
  /** Ends event subscriptions, lets calls in flight finish briefly, then stops and removes the socket. */
  close(): Promise<void>;
}

/** How long calls in flight (a runc create, a Wait) may take to finish once close is asked. */
const shutdownGraceMs = 2_000;

/** Serves containerd's v1 API subset that the stock `ctr` uses, on a unix socket. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const { address, containers, tasks, namespaces, store, bus, log, clock } = options;
  const api = loadContainerdApi();
  const closing = new AbortController();
  const server = new Server();
  server.addService(api.services.version, versionHandlers(log));
  server.addService(api.services.introspection, introspectionHandlers(log));
  server.addService(api.services.namespaces, namespacesHandlers(namespaces, log));
  server.addService(api.services.leases, leasesHandlers(log));
  server.addService(api.services.containers, containersHandlers(containers, log));
  server.addService(api.services.tasks, {
    ...tasksHandlers(tasks, api, log),
    Metrics: metricsHandler({ tasks, api, log, clock }),
  });
  server.addService(api.services.events, {
    Subscribe: subscribeHandler({ store, bus, api, log, closing: closing.signal }),
  });

  rmSync(address, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix:${address}`, ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    );
  });
  chmodSync(address, 0o600);

  let closed: Promise<void> | undefined;
  return {
    close() {
      closed ??= (async () => {
        closing.abort();
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, shutdownGraceMs);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
        rmSync(address, { force: true });
      })();
      return closed;
    },
  };
}
