import type { Container } from './container.ts';
import type { StoredEvent } from './event-envelope.ts';
import type { Task } from './task-state.ts';
import { taskInternalTopics, taskTopics } from './task-topics.ts';

/**
 * The container label asking the daemon to remove the container once its task is over (Docker's
 * `AutoRemove`, Podman's `run --rm`): its value must be `true`. A label, as containerd keeps its
 * restart policy in `containerd.io/restart.*` labels: it shows in `containers info`, filters with
 * `labels."taskledger.io/auto-remove"==true`, and can be set or dropped with `containers label`.
 */
export const autoRemoveLabel = 'taskledger.io/auto-remove';

/** What auto-removal has left to do for a container, if anything. */
export type AutoRemoval = 'task-and-container' | 'container' | undefined;

/** What {@link autoRemovalOf} looks at. */
export interface AutoRemovalFacts {
  /** The container, if it still exists. */
  readonly container: Container | undefined;
  /** Its task, if it has one. */
  readonly task: Task | undefined;
  /** Whether a task of this container (not of an older one with the same id) was deleted. */
  readonly taskDeletedSinceCreate: boolean;
}

/** Whether the container asks to be removed once its task is over. */
export const wantsAutoRemove = (container: Container | undefined): boolean =>
  container?.labels[autoRemoveLabel] === 'true';

/**
 * What is left to remove of a labelled container, decided on state alone so that it holds
 * however the daemon got there (a live exit, an exit replayed after a restart, a task deleted by
 * hand, a label set after the exit): a stopped task goes with its container; a failed create, or
 * a task already deleted, leaves the container alone to go. A container whose task was never
 * created stays: it may be about to get one.
 */
export function autoRemovalOf(facts: AutoRemovalFacts): AutoRemoval {
  if (!wantsAutoRemove(facts.container)) return undefined;
  const status = facts.task?.status;
  if (status === 'stopped') return 'task-and-container';
  if (status === 'failed') return 'container';
  if (status === undefined && facts.taskDeletedSinceCreate) return 'container';
  return undefined;
}

/** Topics after which a container's auto-removal may be due. */
const triggers = new Set<string>([
  taskTopics.exit,
  taskTopics.delete,
  taskInternalTopics.createFailed,
  '/containers/update',
]);

/**
 * The container (namespace and id) an event may make due for auto-removal, if any: its init
 * process exiting (an exec's exit ends nothing), its task deleted or failing to create, or its
 * labels changing.
 */
export function autoRemovalTrigger(e: StoredEvent): { namespace: string; id: string } | undefined {
  if (!triggers.has(e.topic)) return undefined;
  const id = e.topic === '/containers/update' ? e.event.id : e.event.container_id;
  if (typeof id !== 'string') return undefined;
  if (e.topic === taskTopics.exit && e.event.id !== id) return undefined;
  return { namespace: e.namespace, id };
}
