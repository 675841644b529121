import type { Observable } from 'rxjs';
import { failedPrecondition } from '../domain/errors.ts';
import type { EventCause, NewEvent, StoredEvent } from '../domain/event-envelope.ts';
import { taskStreamId } from '../domain/task-evolve.ts';
import { taskProjection } from '../domain/task-projection.ts';
import type { Task } from '../domain/task-state.ts';
import type { Clock } from '../ports/clock.ts';
import type { AppendRequest, EventStore } from '../ports/event-store.ts';
import type { Mount, Runtime, RuntimeProcess, RuntimeTask } from '../ports/runtime.ts';
import { createKeyedMutex, type KeyedMutex } from './keyed-mutex.ts';

/** What the task service needs from the outside. */
export interface TaskServiceDeps {
  /** The log and its projections. */
  readonly store: EventStore;
  /** The runtime that runs tasks. */
  readonly runtime: Runtime;
  /** Every event after its commit (the bus's live stream), for waiters. */
  readonly committed: Observable<StoredEvent>;
  /** Time of the exits the daemon has to make up (runtime state lost). */
  readonly clock: Clock;
  /** Diagnostics. */
  readonly log: (line: string) => void;
  /** The mounts of a container's snapshot (its rootfs when it was made from an image). */
  readonly snapshotMounts?: (namespace: string, key: string) => Mount[];
}

/** State shared by the task service and its recovery: runtime handles, the per-task lock, the log. */
export interface TaskContext extends TaskServiceDeps {
  /** Serialises work on one task. */
  readonly mutex: KeyedMutex;
  /** Runtime handles by `ns/id`. */
  readonly handles: Map<string, RuntimeTask>;
  /** Exec handles by `ns/id/execId`. */
  readonly execHandles: Map<string, RuntimeProcess>;
  /** The projected task, if any. */
  readonly load: (ns: string, id: string) => Task | undefined;
  /**
   * Appends what `decider` decides against the current state, and what `also` returns in the
   * same transaction; returns the new state.
   */
  readonly record: (
    ns: string,
    id: string,
    decider: (t: Task | undefined) => NewEvent[],
    cause: EventCause,
    also?: () => readonly AppendRequest[],
  ) => Task | undefined;
  /** The runtime handle of a task; FailedPrecondition when the runtime has no trace of it. */
  readonly handle: (ns: string, id: string) => Promise<RuntimeTask>;
}

/** The key of a task in the handle maps and the mutex. */
export const taskKey = (ns: string, id: string): string => `${ns}/${id}`;

/** Builds the shared context. */
export function createTaskContext(deps: TaskServiceDeps): TaskContext {
  const { store, runtime } = deps;
  const handles = new Map<string, RuntimeTask>();
  const load = (ns: string, id: string): Task | undefined =>
    store.load(taskProjection, taskStreamId(ns, id));
  return {
    ...deps,
    mutex: createKeyedMutex(),
    handles,
    execHandles: new Map(),
    load,
    record(ns, id, decider, cause, also) {
      const streamId = taskStreamId(ns, id);
      const expectedVersion = store.streamVersion(streamId);
      const events = decider(load(ns, id));
      if (events.length > 0)
        store.append(
          [{ streamId, namespace: ns, expectedVersion, events }, ...(also?.() ?? [])],
          cause,
        );
      return load(ns, id);
    },
    async handle(ns, id) {
      const cached = handles.get(taskKey(ns, id));
      if (cached) return cached;
      const found = await runtime.get(ns, id);
      if (!found) {
        throw failedPrecondition(
          `task "${id}" has no runtime state (it may have been lost in a host reboot)`,
        );
      }
      handles.set(taskKey(ns, id), found);
      return found;
    },
  };
}
