import { setMaxListeners } from 'node:events';
import { containerStreamId, requireContainer } from '../domain/container.ts';
import { containerProjection } from '../domain/container-projection.ts';
import { failedPrecondition, internal, isTaskledgerError } from '../domain/errors.ts';
import type { EventCause } from '../domain/event-envelope.ts';
import { validateIdentifier } from '../domain/identifiers.ts';
import { parseSignal } from '../domain/signals.ts';
import * as decide from '../domain/task-decide.ts';
import { taskStreamId } from '../domain/task-evolve.ts';
import { taskProjection } from '../domain/task-projection.ts';
import { unknownExitStatus, type Task } from '../domain/task-state.ts';
import type { Exit, Mount, RuntimeTask } from '../ports/runtime.ts';
import { createTaskContext, taskKey, type TaskServiceDeps } from './task-context.ts';
import { recoverTasks } from './task-recovery.ts';
import { resizeTaskTerminal } from './task-resize.ts';
import { updateTaskResources } from './task-update.ts';
import type { ExitResult, TaskService } from './task-service-contract.ts';

export type { ExitResult, TaskService } from './task-service-contract.ts';
import { parseIo, parseProcess } from './task-requests.ts';
import { waitForExit } from './task-wait.ts';

const monitorCause = (): EventCause => ({
  correlationId: `runtime-${Date.now().toString(36)}`,
  source: 'daemon runtime monitor',
});

/** Creates the task service. */
export function createTaskService(deps: TaskServiceDeps): TaskService {
  const ctx = createTaskContext(deps);
  const { store, runtime, committed, mutex, handles, execHandles, load, record, handle } = ctx;
  const closing = new AbortController();
  // Every pending wait listens on this one signal: many at once is normal, not a leak.
  setMaxListeners(0, closing.signal);
  const live = (ns: string, id: string): Task => decide.requireTask(load(ns, id), ns, id);
  const key = taskKey;

  const validNs = (ns: string, id: string): void => {
    validateIdentifier(ns, 'namespace');
    validateIdentifier(id, 'container id');
  };

  const wait = (
    ns: string,
    id: string,
    execId: string | undefined,
    signal: AbortSignal,
  ): Promise<ExitResult> =>
    waitForExit({
      load: () => load(ns, id),
      ns,
      id,
      execId,
      committed,
      streamId: taskStreamId(ns, id),
      signals: [signal, closing.signal],
    });

  const service: TaskService = {
    async create(ns, id, rawIo, cause) {
      validNs(ns, id);
      const io = parseIo(rawIo);
      return mutex.run(key(ns, id), async () => {
        const container = requireContainer(
          store.load(containerProjection, containerStreamId(ns, id)),
          ns,
          id,
        );
        // Before the intent: a snapshot that cannot be mounted must not leave an open intent.
        const rootfs: Mount[] = container.rootfs
          ? [{ type: 'bind', source: container.rootfs, options: ['rbind', 'rw'] }]
          : container.snapshotKey && ctx.snapshotMounts
            ? ctx.snapshotMounts(ns, container.snapshotKey)
            : [];
        const previous = load(ns, id);
        // A failed create leaves a record; a new create replaces it.
        const forget = decide.decideForget(previous);
        const intent = decide.decideCreateIntent(forget.length ? undefined : previous, ns, id, io);
        const streamId = taskStreamId(ns, id);
        store.append(
          [
            {
              streamId,
              namespace: ns,
              expectedVersion: store.streamVersion(streamId),
              events: [...forget, ...intent],
            },
          ],
          cause,
        );
        let created: RuntimeTask;
        try {
          created = await runtime.create(id, { namespace: ns, spec: container.spec, rootfs, io });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          record(
            ns,
            id,
            (t) => decide.decideCreateFailed(decide.requireTask(t, ns, id), message),
            cause,
          );
          throw isTaskledgerError(error)
            ? error
            : internal(`creating task "${id}" failed: ${message}`, error);
        }
        handles.set(key(ns, id), created);
        return record(
          ns,
          id,
          (t) =>
            decide.decideCreated(decide.requireTask(t, ns, id), {
              pid: created.pid,
              bundle: created.bundle,
              rootfs,
              stdinFifo: created.stdinFifo,
            }),
          cause,
        )!;
      });
    },

    async start(ns, id, cause) {
      validNs(ns, id);
      return mutex.run(key(ns, id), async () => {
        const task = live(ns, id);
        decide.checkStart(task);
        const h = await handle(ns, id);
        await h.start();
        return record(
          ns,
          id,
          (t) => decide.decideStarted(decide.requireTask(t, ns, id), h.pid),
          cause,
        )!;
      });
    },

    async kill(ns, id, options) {
      validNs(ns, id);
      const signal = parseSignal(options.signal ?? 'SIGTERM');
      const task = live(ns, id);
      if (options.execId) {
        const x = decide.requireExec(task, options.execId);
        if (x.status !== 'running')
          throw failedPrecondition(`cannot kill exec "${options.execId}": it is ${x.status}`);
        const p = execHandles.get(`${key(ns, id)}/${options.execId}`);
        if (!p) throw failedPrecondition(`exec "${options.execId}" has no runtime handle`);
        await p.kill(signal);
        return;
      }
      decide.requireStatus(task, ['created', 'running', 'paused'], 'kill');
      await (await handle(ns, id)).kill(signal, { all: options.all ?? false });
    },

    async pause(ns, id, cause) {
      validNs(ns, id);
      return mutex.run(key(ns, id), async () => {
        decide.decidePaused(live(ns, id)); // checks the state before touching the runtime
        await (await handle(ns, id)).pause();
        return record(ns, id, (t) => decide.decidePaused(decide.requireTask(t, ns, id)), cause)!;
      });
    },

    async resume(ns, id, cause) {
      validNs(ns, id);
      return mutex.run(key(ns, id), async () => {
        decide.decideResumed(live(ns, id));
        await (await handle(ns, id)).resume();
        return record(ns, id, (t) => decide.decideResumed(decide.requireTask(t, ns, id)), cause)!;
      });
    },

    async exec(ns, id, request, cause) {
      validNs(ns, id);
      const io = parseIo(request.io);
      const process = parseProcess(request.process);
      return mutex.run(key(ns, id), async () => {
        decide.decideExecAdded(live(ns, id), request.execId, process, io);
        const execId = request.execId as string;
        const p = await (await handle(ns, id)).exec(execId, process, io);
        execHandles.set(`${key(ns, id)}/${execId}`, p);
        const added = decide.withStdinFifo(io, p.stdinFifo);
        return record(
          ns,
          id,
          (t) => decide.decideExecAdded(decide.requireTask(t, ns, id), execId, process, added),
          cause,
        )!;
      });
    },

    async startExec(ns, id, execId, cause) {
      validNs(ns, id);
      return mutex.run(key(ns, id), async () => {
        const task = live(ns, id);
        decide.requireStatus(task, ['running'], `start exec "${execId}" in`);
        decide.decideExecStarted(task, execId, 0);
        const p = execHandles.get(`${key(ns, id)}/${execId}`);
        if (!p)
          throw failedPrecondition(
            `exec "${execId}" has no runtime handle (added before a daemon restart?)`,
          );
        const pid = await p.start();
        record(
          ns,
          id,
          (t) => decide.decideExecStarted(decide.requireTask(t, ns, id), execId, pid),
          cause,
        );
        return pid;
      });
    },

    async deleteExec(ns, id, execId, cause) {
      validNs(ns, id);
      return mutex.run(key(ns, id), async () => {
        const task = live(ns, id);
        const events = decide.decideExecDeleted(task, execId);
        const x = task.execs[execId]!;
        await execHandles.get(`${key(ns, id)}/${execId}`)?.delete();
        execHandles.delete(`${key(ns, id)}/${execId}`);
        record(ns, id, () => events, cause);
        return { exit_status: x.exitStatus ?? 0, exited_at: x.exitedAt ?? '', pid: x.pid };
      });
    },

    async delete(ns, id, options, cause) {
      validNs(ns, id);
      const task = live(ns, id);
      if (['created', 'running', 'paused'].includes(task.status)) {
        if (!options.force && task.status !== 'created') {
          throw failedPrecondition(
            `cannot delete task "${id}": it is ${task.status}; kill it first or use --force`,
          );
        }
        const h = await handle(ns, id);
        await h.kill(9, { all: true });
        if (task.status === 'paused') await h.resume().catch(() => undefined);
        await wait(ns, id, undefined, AbortSignal.timeout(30_000));
      }
      return mutex.run(key(ns, id), async () => {
        const current = live(ns, id);
        record(ns, id, (t) => decide.decideDeleteIntent(decide.requireTask(t, ns, id)), cause);
        let exit: Exit;
        try {
          const rt = handles.get(key(ns, id)) ?? (await runtime.get(ns, id));
          // A task whose runtime state was lost (recorded as exited 255) has nothing left to free.
          exit = rt
            ? await runtime.delete(rt)
            : {
                status: current.exitStatus ?? unknownExitStatus,
                timestamp: current.exitedAt ?? deps.clock.now(),
              };
        } catch (error) {
          if (!isTaskledgerError(error))
            throw internal(`deleting task "${id}" failed: ${String(error)}`, error);
          throw error;
        }
        handles.delete(key(ns, id));
        for (const execId of Object.keys(current.execs))
          execHandles.delete(`${key(ns, id)}/${execId}`);
        // The monitor's record wins; the projection's is the fallback when the runtime lost it.
        const status = current.exitStatus ?? exit.status;
        const exitedAt = current.exitedAt ?? exit.timestamp;
        record(
          ns,
          id,
          (t) => decide.decideDeleted(decide.requireTask(t, ns, id), { status, exitedAt }),
          cause,
          options.also,
        );
        return { exit_status: status, exited_at: exitedAt, pid: current.pid };
      });
    },

    wait(ns, id, execId, signal) {
      validNs(ns, id);
      return wait(ns, id, execId, signal);
    },

    resize(ns, id, execId, size) {
      validNs(ns, id);
      return resizeTaskTerminal(ctx, ns, id, execId, size);
    },

    update(ns, id, resources, cause) {
      validNs(ns, id);
      return updateTaskResources(ctx, ns, id, resources, cause);
    },

    get(ns, id) {
      validNs(ns, id);
      const task = load(ns, id);
      if (!task) return decide.requireTask(task, ns, id);
      return task;
    },

    list(ns) {
      validateIdentifier(ns, 'namespace');
      return store.list(taskProjection, { namespace: ns });
    },

    async pids(ns, id) {
      validNs(ns, id);
      decide.requireStatus(live(ns, id), ['created', 'running', 'paused'], 'list processes of');
      return (await handle(ns, id)).pids();
    },

    async metrics(ns, id) {
      validNs(ns, id);
      decide.requireStatus(live(ns, id), ['created', 'running', 'paused'], 'read metrics of');
      return (await handle(ns, id)).metrics();
    },

    runtimeTask: handle,

    async handleRuntimeEvent(event) {
      const { namespace: ns, containerId: id } = event;
      await mutex.run(key(ns, id), () => {
        if (event.type === 'oom') {
          record(ns, id, decide.decideOom, monitorCause());
        } else {
          record(ns, id, (t) => decide.decideExit(t, event), monitorCause());
        }
        return Promise.resolve();
      });
    },

    recover: () => recoverTasks(ctx),

    close() {
      closing.abort();
    },
  };
  return service;
}
