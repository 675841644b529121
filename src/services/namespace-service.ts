import { failedPrecondition, notFound } from '../domain/errors.ts';
import type { EventCause, NewEvent } from '../domain/event-envelope.ts';
import { validateIdentifier } from '../domain/identifiers.ts';
import {
  decideCreateNamespace,
  decideDeleteNamespace,
  decideUpdateNamespace,
  namespaceStreamId,
  type Namespace,
} from '../domain/namespace.ts';
import { namespaceHolders, namespaceProjection } from '../domain/namespace-projection.ts';
import type { EventStore } from '../ports/event-store.ts';

/** Namespaces, after containerd's namespaces service: create, get, list, update, delete. */
export interface NamespaceService {
  /** Every namespace, by name: created ones, and those made by their first object. */
  list(): Namespace[];
  /** One namespace; NotFound when it does not exist. */
  get(name: string): Namespace;
  /** Creates a namespace with labels; AlreadyExists when it exists. */
  create(command: { name: unknown; labels?: unknown }, cause: EventCause): Namespace;
  /** Sets labels by update mask (all of them without one); a missing namespace is created. */
  update(
    command: { name: unknown; labels?: unknown; updateMask?: readonly string[] },
    cause: EventCause,
  ): Namespace;
  /** Deletes an empty namespace; FailedPrecondition naming what it still holds. */
  delete(name: string, cause: EventCause): void;
}

/** Creates the namespace service over the event store. */
export function createNamespaceService(deps: { readonly store: EventStore }): NamespaceService {
  const { store } = deps;
  const load = (name: string): Namespace | undefined =>
    store.load(namespaceProjection, namespaceStreamId(name));

  const appendTo = (
    name: string,
    decide: (current: Namespace | undefined) => NewEvent[],
    cause: EventCause,
  ): Namespace | undefined => {
    const streamId = namespaceStreamId(name);
    // Read, decide and append in one synchronous turn: no request can fill the namespace between.
    const expectedVersion = store.streamVersion(streamId);
    const events = decide(load(name));
    store.append([{ streamId, namespace: name, expectedVersion, events }], cause);
    return load(name);
  };

  /** What the namespace still holds, by containerd's names for it (`containers`, ...). */
  const holdings = (name: string): string[] =>
    namespaceHolders
      // One row says enough: a namespace can hold thousands.
      .filter((holder) => store.list(holder, { namespace: name }, { limit: 1 }).length > 0)
      .map((holder) => holder.name);

  return {
    list: () => store.list(namespaceProjection),
    get(name) {
      const found = load(validateIdentifier(name, 'namespace'));
      if (!found) throw notFound(`namespace "${name}": not found`);
      return found;
    },
    create(command, cause) {
      const name = validateIdentifier(command.name, 'namespace');
      return appendTo(name, (current) => decideCreateNamespace(current, command), cause)!;
    },
    update(command, cause) {
      const name = validateIdentifier(command.name, 'namespace');
      return appendTo(name, (current) => decideUpdateNamespace(current, command), cause)!;
    },
    delete(name, cause) {
      validateIdentifier(name, 'namespace');
      appendTo(
        name,
        (current) => {
          const events = decideDeleteNamespace(current, name);
          const held = holdings(name);
          if (held.length > 0)
            throw failedPrecondition(
              `namespace "${name}" must be empty, but it still has ${held.join(', ')}`,
            );
          return events;
        },
        cause,
      );
    },
  };
}
