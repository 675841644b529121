import { filter, Subject, type Observable } from 'rxjs';
import {
  autoRemovalOf,
  autoRemovalTrigger,
  wantsAutoRemove,
  type AutoRemoval,
} from '../domain/auto-remove.ts';
import { containerStreamId } from '../domain/container.ts';
import { containerProjection } from '../domain/container-projection.ts';
import { failedPrecondition, isTaskledgerError } from '../domain/errors.ts';
import type { EventCause, StoredEvent } from '../domain/event-envelope.ts';
import { taskStreamId } from '../domain/task-evolve.ts';
import { taskProjection } from '../domain/task-projection.ts';
import { taskTopics } from '../domain/task-topics.ts';
import type { AppendRequest, EventStore } from '../ports/event-store.ts';
import type { ContainerService } from './container-service.ts';
import type { TaskService } from './task-service.ts';

/** Removes containers labelled for auto-removal once their task is over (domain/auto-remove.ts). */
export interface AutoRemover {
  /**
   * Removes every labelled container whose task is over, as after a restart: exits recorded
   * before a crash, or by recovery (a lost task), got no removal yet. `resolved` names the tasks
   * (`ns/id`) whose interrupted operations recovery finished: a delete cut by a crash is one, its
   * task gone and its container left. Returns the `ns/id` removed.
   */
  sweep(resolved?: readonly string[]): Promise<string[]>;
  /**
   * Resolves once the container is gone (at once when it is), by this remover or anyone else;
   * rejects when its auto-removal failed, or when `signal` aborts.
   */
  removed(namespace: string, id: string, signal: AbortSignal): Promise<void>;
  /** Stops reacting to events and waits for the removals under way. */
  close(): Promise<void>;
}

/** What the auto-remover works with. */
export interface AutoRemoverDeps {
  /** The log, to read containers and tasks. */
  readonly store: EventStore;
  /** Deletes the stopped task (runtime resources, then `/tasks/delete`). */
  readonly tasks: Pick<TaskService, 'delete'>;
  /** Deletes the container (and the snapshot it pins). */
  readonly containers: Pick<ContainerService, 'delete' | 'deleteAlongWithTask'>;
  /** Every event after its commit. */
  readonly committed: Observable<StoredEvent>;
  /** Diagnostics. */
  readonly log: (line: string) => void;
}

const cause = (): EventCause => ({
  correlationId: `auto-remove-${Date.now().toString(36)}`,
  source: 'daemon auto-remove',
});

/**
 * Watches the committed events and removes what is due. Removal is level-triggered: an event
 * only says when to look, and the state says what to do, so a removal already done by someone
 * else (a client's `tasks rm`) or cut by a crash is finished, never repeated.
 */
export function createAutoRemover(deps: AutoRemoverDeps): AutoRemover {
  const { store } = deps;
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const failures = new Subject<{ key: string; error: Error }>();

  const dueFor = (ns: string, id: string): AutoRemoval => {
    const container = store.load(containerProjection, containerStreamId(ns, id));
    if (!wantsAutoRemove(container)) return undefined;
    const task = store.load(taskProjection, taskStreamId(ns, id));
    return autoRemovalOf({
      container,
      task,
      taskDeletedSinceCreate: !task && taskDeletedSinceCreate(store, ns, id),
    });
  };

  const removeOnce = async (ns: string, id: string): Promise<void> => {
    const due = dueFor(ns, id);
    if (!due) return;
    const why = cause();
    if (due === 'task-and-container') {
      // One append for both: a crash between the two deletes would leave a labelled container
      // without a task, which nothing would look at again.
      const also = (): readonly AppendRequest[] => deps.containers.deleteAlongWithTask(ns, id);
      await deps.tasks.delete(ns, id, { force: false, also }, why);
      return;
    }
    deps.containers.delete(ns, id, why);
  };

  /** Removes what is due for one container; a trigger arriving meanwhile makes it look again. */
  const schedule = (ns: string, id: string): Promise<void> => {
    const key = `${ns}/${id}`;
    const current = running.get(key);
    if (current) {
      again.add(key);
      return current;
    }
    const work = (async () => {
      // Never inside the append whose commit triggered us: its caller still reads what it wrote.
      await Promise.resolve();
      do {
        again.delete(key);
        try {
          await removeOnce(ns, id);
        } catch (error) {
          // Someone else removed it, or is removing it: their events trigger another look.
          if (isTaskledgerError(error) && ['NotFound', 'FailedPrecondition'].includes(error.code)) {
            if (dueFor(ns, id) && !again.has(key)) report(key, error);
            continue;
          }
          report(key, error as Error);
        }
      } while (again.has(key));
    })().finally(() => running.delete(key));
    running.set(key, work);
    return work;
  };

  const report = (key: string, error: Error): void => {
    deps.log(`auto-remove of ${key} failed: ${error.message}`);
    failures.next({ key, error });
  };

  const subscription = deps.committed.subscribe((e) => {
    const trigger = autoRemovalTrigger(e);
    if (trigger) void schedule(trigger.namespace, trigger.id);
  });

  return {
    async sweep(resolved = []) {
      // From the tasks that are over and the deletes recovery finished, not from every
      // container: a start-up with 10,000 containers spent 190 ms loading them all. Left out: a
      // daemon that died after a task's delete was recorded and before its container's, a few
      // microseconds later.
      const over = ['stopped', 'failed'].flatMap((status) =>
        store.list(taskProjection, { status }).map((t) => `${t.namespace}/${t.containerId}`),
      );
      const removed: string[] = [];
      for (const key of new Set([...over, ...resolved])) {
        const slash = key.indexOf('/');
        const [ns, id] = [key.slice(0, slash), key.slice(slash + 1)];
        if (!dueFor(ns, id)) continue;
        await schedule(ns, id);
        if (!store.load(containerProjection, containerStreamId(ns, id))) removed.push(key);
      }
      return removed;
    },

    removed(ns, id, signal) {
      const key = `${ns}/${id}`;
      const streamId = containerStreamId(ns, id);
      return new Promise<void>((resolve, reject) => {
        const gone = deps.committed
          .pipe(filter((e) => e.streamId === streamId && e.topic === '/containers/delete'))
          .subscribe(() => finish(resolve));
        const failed = failures
          .pipe(filter((f) => f.key === key))
          .subscribe((f) =>
            finish(() =>
              reject(
                failedPrecondition(
                  `container "${id}" exited but could not be removed: ${f.error.message}`,
                ),
              ),
            ),
          );
        const onAbort = (): void => finish(() => reject(signal.reason as Error));
        const finish = (settle: () => void): void => {
          gone.unsubscribe();
          failed.unsubscribe();
          signal.removeEventListener('abort', onAbort);
          settle();
        };
        // Checked after subscribing, in the same turn: a delete committed meanwhile is not missed.
        if (!store.load(containerProjection, streamId)) return finish(resolve);
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort);
        // Due with no removal under way: an earlier one failed. Try again, for this waiter to hear.
        if (!running.has(key) && dueFor(ns, id)) void schedule(ns, id);
      });
    },

    async close() {
      subscription.unsubscribe();
      await Promise.allSettled([...running.values()]);
      failures.complete();
    },
  };
}

/**
 * Whether the task stream's last event is a `/tasks/delete` that came after this container's
 * create: the stream outlives containers, and a deleted task of an older container of the same id
 * says nothing about this one. A create event compacted away is older than any event kept.
 */
function taskDeletedSinceCreate(store: EventStore, ns: string, id: string): boolean {
  const last = store.readStream(taskStreamId(ns, id)).at(-1);
  if (last?.topic !== taskTopics.delete) return false;
  const created = store
    .readStream(containerStreamId(ns, id))
    .findLast((e) => e.topic === '/containers/create');
  return last.seq > (created?.seq ?? 0);
}
