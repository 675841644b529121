import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Projection } from '../domain/projection.ts';
import { containerProjection } from '../domain/container-projection.ts';
import { imageProjection } from '../domain/image-projection.ts';
import { namespaceProjection } from '../domain/namespace-projection.ts';
import { snapshotProjection } from '../domain/snapshot-projection.ts';
import { isLive } from '../domain/task-state.ts';
import { decideForget } from '../domain/task-decide.ts';
import { taskStreamId } from '../domain/task-evolve.ts';
import { taskProjection } from '../domain/task-projection.ts';
import { createSystemClock } from '../platform/system-clock.ts';
import { createRuncRuntime } from '../runtime/runc-runtime.ts';
import { createAutoRemover } from '../services/auto-remover.ts';
import { createContainerService } from '../services/container-service.ts';
import { createEventBus } from '../services/event-bus.ts';
import { withImageSnapshots } from '../services/image-containers.ts';
import { createNamespaceService } from '../services/namespace-service.ts';
import { createTaskService } from '../services/task-service.ts';
import { openLedgerDatabase } from '../store/open-database.ts';
import { createSqliteEventStore } from '../store/sqlite-event-store.ts';
import { containerRoutes } from './container-routes.ts';
import { namespaceRoutes } from './namespace-routes.ts';
import { eventRoutes } from './event-routes.ts';
import { historyRoutes } from './history-routes.ts';
import { imageRoutes } from './image-routes.ts';
import { createImageStack } from './image-stack.ts';
import { serveApi } from './http-server.ts';
import { replayRoutes } from './replay-routes.ts';
import { runRoute } from './run-route.ts';
import { acquireRootLock } from './root-lock.ts';
import { taskRoutes } from './task-routes.ts';
import { versionRoutes } from './version-routes.ts';

/** Where the daemon keeps things. */
export interface DaemonConfig {
  /** Persistent root: the ledger database. */
  readonly root: string;
  /** Runtime state: runc root, bundles, monitor files. */
  readonly state: string;
  /** The API's unix socket. */
  readonly address: string;
  /** A second unix socket serving containerd's gRPC API (for `ctr`); none when absent. */
  readonly grpcAddress?: string;
  /** Standby monitors to keep ready for the next creates (the runtime's default when absent). */
  readonly standbyMonitors?: number;
  /** Where diagnostics go. */
  readonly log: (line: string) => void;
}

/** A running daemon. */
export interface Daemon {
  /** Stops serving and closes everything; running tasks keep running under their monitors. */
  stop(): Promise<void>;
}

/** Every projection the daemon keeps inline. */
export const projections: readonly Projection<unknown>[] = [
  containerProjection,
  taskProjection,
  snapshotProjection,
  imageProjection,
  namespaceProjection,
];

/** The composition root: wires store, bus, runtime, services and the API, then serves. */
export async function startDaemon(config: DaemonConfig): Promise<Daemon> {
  mkdirSync(config.root, { recursive: true, mode: 0o700 });
  mkdirSync(config.state, { recursive: true, mode: 0o700 });
  mkdirSync(join(config.address, '..'), { recursive: true, mode: 0o700 });
  const lock = acquireRootLock(config.root);
  const cleanups: (() => Promise<void> | void)[] = [() => lock.release()];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        config.log(`shutdown step failed: ${(error as Error).message}`);
      }
    }
  };
  try {
    const clock = createSystemClock();
    const db = await openLedgerDatabase(join(config.root, 'ledger.db'));
    cleanups.push(() => db.close());
    const store = createSqliteEventStore(db, { clock, projections });
    const bus = createEventBus({
      readPage: (afterSeq, limit) => store.readAll({ afterSeq, limit }),
      onSubscriberError: (error) => config.log(`event subscriber failed: ${String(error)}`),
    });
    store.setOnCommit((events) => bus.publish(events));
    cleanups.push(() => bus.close());

    const runtime = await createRuncRuntime({
      stateDir: config.state,
      clock,
      standbyMonitors: config.standbyMonitors,
    });
    cleanups.push(() => runtime.close());
    const { snapshots, images } = createImageStack({
      root: config.root,
      store,
      committed: bus.live(),
      log: config.log,
    });
    cleanups.push(() => snapshots.close());
    const tasks = createTaskService({
      store,
      runtime,
      committed: bus.live(),
      clock,
      log: config.log,
      snapshotMounts: (ns, key) => snapshots.mounts(ns, key),
    });
    cleanups.push(() => tasks.close());
    const plainContainers = createContainerService({
      store,
      taskStatus: (ns, id) => {
        const task = store.load(taskProjection, taskStreamId(ns, id));
        return isLive(task) ? task.status : undefined;
      },
      // A failed create's record goes with its container, in the same transaction.
      alsoOnDelete: (ns, id) => {
        const streamId = taskStreamId(ns, id);
        const events = decideForget(store.load(taskProjection, streamId));
        const task = events.length
          ? [{ streamId, namespace: ns, expectedVersion: store.streamVersion(streamId), events }]
          : [];
        // So does the container's snapshot (removed from disk once the delete committed).
        return [...task, ...snapshots.forContainerDelete(ns, id)];
      },
    });
    const namespaces = createNamespaceService({ store });
    // `create` with an image prepares the container's snapshot in the same append.
    const containers = withImageSnapshots(plainContainers, { images, snapshots });
    // Reconcile before serving: nobody may see a task the runtime contradicts.
    const report = await tasks.recover();
    config.log(
      `recovery: ${report.reattached.length} re-attached, ${report.lost.length} lost, ${report.resolved.length} interrupted operations resolved, ${report.orphans.length} orphans removed`,
    );
    // After task recovery (orphans are unmounted by then): snapshots a crash left half-made.
    const gc = await snapshots.collectGarbage({
      correlationId: `gc-${Date.now().toString(36)}`,
      source: 'daemon snapshot gc',
    });
    config.log(
      `snapshot gc: ${gc.removedSnapshots.length} unreferenced snapshots and ${gc.removedEntries.length} stray directories removed`,
    );
    // Before the runtime's events: exits replayed from while the daemon was down remove too.
    const remover = createAutoRemover({
      store,
      tasks,
      containers,
      committed: bus.live(),
      log: config.log,
    });
    cleanups.push(() => remover.close());
    const swept = await remover.sweep(report.resolved);
    if (swept.length)
      config.log(`auto-remove: ${swept.length} containers removed (${swept.join(', ')})`);
    const runtimeEvents = runtime.events().subscribe((event) => {
      tasks
        .handleRuntimeEvent(event)
        .catch((error: unknown) =>
          config.log(`recording ${event.type} of ${event.containerId} failed: ${String(error)}`),
        );
    });
    cleanups.push(() => runtimeEvents.unsubscribe());

    const removed = (ns: string, id: string, signal: AbortSignal): Promise<void> =>
      remover.removed(ns, id, signal);
    const server = await serveApi(
      config.address,
      [
        ...versionRoutes(config, runtime),
        ...containerRoutes(containers),
        ...namespaceRoutes(namespaces),
        ...taskRoutes(tasks, clock, removed),
        runRoute(containers, tasks, clock, removed),
        ...eventRoutes(store, bus),
        ...historyRoutes(store),
        ...replayRoutes(store),
        ...imageRoutes(images, snapshots),
      ],
      config.log,
    );
    cleanups.push(() => server.close());
    if (config.grpcAddress) {
      // Loaded only when asked for: grpc-js and protobufjs cost a few hundred ms of start-up.
      const { startGrpcServer } = await import('../grpc/grpc-server.ts');
      const grpc = await startGrpcServer({
        address: config.grpcAddress,
        containers,
        tasks,
        namespaces,
        store,
        bus,
        log: config.log,
        clock,
      });
      cleanups.push(() => grpc.close());
      config.log(`containerd gRPC API serving ${config.grpcAddress}`);
    }
    config.log(
      `taskledger daemon serving ${config.address} (root ${config.root}, state ${config.state}; ready ${Math.round(process.uptime() * 1000)} ms after process start)`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}
