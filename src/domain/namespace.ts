import { alreadyExists, invalidArgument, notFound } from './errors.ts';
import type { NewEvent, StoredEvent } from './event-envelope.ts';
import { validateIdentifier, validateLabels } from './identifiers.ts';
import { applyLabelPath } from './label-update.ts';
import type { Timestamp } from './timestamp.ts';

/**
 * A namespace's record, as containerd keeps one: made by `/namespaces/create`, or implicitly by
 * the first container, image or snapshot created in it; kept, emptied or not, until
 * `/namespaces/delete`.
 */
export interface Namespace {
  /** Its name (containerd's identifier rules). */
  readonly name: string;
  /** Labels, as `ctr namespaces create NAME k=v` or `label` set them. */
  readonly labels: Readonly<Record<string, string>>;
  /** When it was created (explicitly or by its first object). */
  readonly createdAt: Timestamp;
  /** When it last changed. */
  readonly updatedAt: Timestamp;
}

/** containerd's namespace topics. */
export const namespaceTopics = {
  create: '/namespaces/create',
  update: '/namespaces/update',
  delete: '/namespaces/delete',
} as const;

/** The stream of a namespace's own events. */
export function namespaceStreamId(name: string): string {
  return `namespace/${name}`;
}

/** Decides `/namespaces/create`; AlreadyExists when the namespace exists (explicitly or not). */
export function decideCreateNamespace(
  current: Namespace | undefined,
  command: { name: unknown; labels?: unknown },
): NewEvent[] {
  const name = validateIdentifier(command.name, 'namespace');
  if (current) throw alreadyExists(`namespace "${name}": already exists`);
  return [
    { topic: namespaceTopics.create, event: { name, labels: validateLabels(command.labels) } },
  ];
}

/**
 * Decides `/namespaces/update`. With an update mask, only its `labels.KEY` paths (or `labels`)
 * apply; without one, the labels are replaced. As in containerd, updating a namespace that does
 * not exist yet creates it. The event carries the resulting labels.
 */
export function decideUpdateNamespace(
  current: Namespace | undefined,
  command: { name: unknown; labels?: unknown; updateMask?: readonly string[] },
): NewEvent[] {
  const name = validateIdentifier(command.name, 'namespace');
  const labels = { ...current?.labels };
  const mask = command.updateMask?.length ? command.updateMask : ['labels'];
  for (const path of mask) {
    if (!applyLabelPath(labels, path, command.labels))
      throw invalidArgument(`cannot update field path "${path}" of a namespace: only labels`);
  }
  return [{ topic: namespaceTopics.update, event: { name, labels } }];
}

/**
 * Decides `/namespaces/delete`: NotFound when the namespace does not exist. Whether it is empty
 * is the caller's to check (the other projections know), as containerd refuses a namespace that
 * still holds anything.
 */
export function decideDeleteNamespace(current: Namespace | undefined, name: string): NewEvent[] {
  if (!current) throw notFound(`namespace "${name}": not found`);
  return [{ topic: namespaceTopics.delete, event: { name } }];
}

/**
 * Applies one event to the namespace named by its stream: its own events, and any event of its
 * containers, images and snapshots, the first of which creates it implicitly (containerd makes
 * the namespace's bucket on the first object written to it).
 */
export function evolveNamespace(
  state: Namespace | undefined,
  e: StoredEvent,
  name: string,
): Namespace | undefined {
  const p = e.event;
  switch (e.topic) {
    case namespaceTopics.create:
      return {
        name,
        labels: p.labels as Record<string, string>,
        createdAt: e.timestamp,
        updatedAt: e.timestamp,
      };
    case namespaceTopics.update:
      return {
        name,
        labels: p.labels as Record<string, string>,
        createdAt: state?.createdAt ?? e.timestamp,
        updatedAt: e.timestamp,
      };
    case namespaceTopics.delete:
      return undefined;
    default:
      return state ?? { name, labels: {}, createdAt: e.timestamp, updatedAt: e.timestamp };
  }
}
