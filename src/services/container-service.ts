import {
  containerStreamId,
  decideCreateContainer,
  decideDeleteContainer,
  decideUpdateContainer,
  type Container,
  type CreateContainer,
  type UpdateContainer,
} from '../domain/container.ts';
import { containerProjection } from '../domain/container-projection.ts';
import { adaptContainer } from '../domain/container-filter.ts';
import { failedPrecondition, notFound } from '../domain/errors.ts';
import type { EventCause, NewEvent } from '../domain/event-envelope.ts';
import { parseFilters } from '../domain/filter.ts';
import { validateIdentifier } from '../domain/identifiers.ts';
import type { AppendRequest, EventStore } from '../ports/event-store.ts';

/** Container metadata, after containerd's containers service: create, get, list, update, delete. */
export interface ContainerService {
  /**
   * Creates a container; AlreadyExists when the id is taken in the namespace. `also` is appended
   * in the same transaction (a snapshot prepared for it).
   */
  create(
    namespace: string,
    command: CreateContainer,
    cause: EventCause,
    also?: readonly AppendRequest[],
  ): Container;
  /** One container; NotFound when missing. */
  get(namespace: string, id: string): Container;
  /** Containers of a namespace matching any of `filters` (containerd filter syntax). */
  list(namespace: string, filters?: readonly string[]): Container[];
  /** Applies labels and/or spec by field path. */
  update(namespace: string, id: string, command: UpdateContainer, cause: EventCause): Container;
  /** Deletes a container; FailedPrecondition while it has a task. */
  delete(namespace: string, id: string, cause: EventCause): void;
  /**
   * What deleting a container appends (its `/containers/delete` and what goes with it), for the
   * deletion of its task to append in the same transaction: the two go together or not at all.
   * Empty when there is no such container.
   */
  deleteAlongWithTask(namespace: string, id: string): AppendRequest[];
}

/** What the container service needs to know of tasks, to refuse deleting a container in use. */
export type TaskStatusLookup = (namespace: string, containerId: string) => string | undefined;

/** Creates the container service over the event store. */
export function createContainerService(deps: {
  readonly store: EventStore;
  /** Status of the container's task, or undefined when it has none. */
  readonly taskStatus: TaskStatusLookup;
  /** Appends to other streams that must happen atomically with a container's delete. */
  readonly alsoOnDelete?: (namespace: string, id: string) => AppendRequest[];
}): ContainerService {
  const { store } = deps;

  const load = (namespace: string, id: string): Container | undefined =>
    store.load(containerProjection, containerStreamId(namespace, id));

  // Read, decide and append run in one synchronous turn, so no other request interleaves;
  // the expected version still guards against a second writer on the same database.
  const requestFor = (
    namespace: string,
    id: string,
    decide: (current: Container | undefined) => NewEvent[],
  ): AppendRequest => {
    const streamId = containerStreamId(namespace, id);
    const expectedVersion = store.streamVersion(streamId);
    return { streamId, namespace, expectedVersion, events: decide(load(namespace, id)) };
  };
  // A container's `/containers/delete` and the appends that must go with it (alsoOnDelete).
  const deletion = (namespace: string, id: string): AppendRequest[] => [
    requestFor(namespace, id, (current) => decideDeleteContainer(current, namespace, id)),
    ...(deps.alsoOnDelete?.(namespace, id) ?? []),
  ];
  const appendTo = (
    namespace: string,
    id: string,
    decide: (current: Container | undefined) => NewEvent[],
    cause: EventCause,
    also: readonly AppendRequest[] = [],
  ): void => {
    store.append([requestFor(namespace, id, decide), ...also], cause);
  };

  return {
    create(namespace, command, cause, also = []) {
      validateIdentifier(namespace, 'namespace');
      const id = validateIdentifier(command.id, 'container id');
      appendTo(
        namespace,
        id,
        (current) => decideCreateContainer(current, namespace, command),
        cause,
        also,
      );
      return load(namespace, id)!;
    },
    get(namespace, id) {
      validateIdentifier(namespace, 'namespace');
      validateIdentifier(id, 'container id');
      const container = load(namespace, id);
      if (!container) throw notFound(`container "${id}" not found in namespace "${namespace}"`);
      return container;
    },
    list(namespace, filters = []) {
      validateIdentifier(namespace, 'namespace');
      const filter = parseFilters(filters);
      return store
        .list(containerProjection, { namespace })
        .filter((c) => filter.match(adaptContainer(c)));
    },
    update(namespace, id, command, cause) {
      validateIdentifier(namespace, 'namespace');
      validateIdentifier(id, 'container id');
      appendTo(
        namespace,
        id,
        (current) => decideUpdateContainer(current, namespace, id, command),
        cause,
      );
      return load(namespace, id)!;
    },
    deleteAlongWithTask(namespace, id) {
      return load(namespace, id) ? deletion(namespace, id) : [];
    },
    delete(namespace, id, cause) {
      validateIdentifier(namespace, 'namespace');
      validateIdentifier(id, 'container id');
      const container = load(namespace, id);
      const status = deps.taskStatus(namespace, id);
      if (container && status !== undefined) {
        throw failedPrecondition(
          `container "${id}" has a task in state ${status}: delete the task first (tasks rm${status === 'stopped' ? '' : ' --force'} ${id})`,
        );
      }
      store.append(deletion(namespace, id), cause);
    },
  };
}
