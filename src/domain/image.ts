import { alreadyExists, invalidArgument, notFound } from './errors.ts';
import type { NewEvent, StoredEvent } from './event-envelope.ts';
import { validateLabels } from './identifiers.ts';
import type { Timestamp } from './timestamp.ts';

/** An image: a name for a committed snapshot, the base containers are created from. */
export interface Image {
  /** Namespace the image belongs to. */
  readonly namespace: string;
  /** Its reference, e.g. `busybox:latest` or `registry.example:5000/team/app:v1`. */
  readonly name: string;
  /** Labels, as containerd keeps on images. */
  readonly labels: Readonly<Record<string, string>>;
  /** The committed snapshot holding the image's root filesystem. */
  readonly snapshotKey: string;
  /** Bytes of the image's own layer on disk (files' apparent sizes), measured when it was made. */
  readonly size: number;
  /** When it was created. */
  readonly createdAt: Timestamp;
  /** When it last changed. */
  readonly updatedAt: Timestamp;
}

// A reference after docker's grammar, simplified: path components of alphanumerics joined by
// `.`, `_`, `__` or dashes, an optional registry port, an optional tag. No component can be `..`.
const component = '[A-Za-z0-9]+(?:(?:[._]|__|-+)[A-Za-z0-9]+)*';
const imageNamePattern = new RegExp(
  `^${component}(?::[0-9]{1,5})?(?:/${component})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$`,
);

/** Longest image name accepted (docker's limit on a repository name). */
export const maxImageNameLength = 255;

/** Throws InvalidArgument unless `name` is a valid image reference. */
export function validateImageName(name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw invalidArgument('image name must be a non-empty string');
  }
  if (name.length > maxImageNameLength || !imageNamePattern.test(name)) {
    throw invalidArgument(
      `image name ${JSON.stringify(name.slice(0, 80))} is invalid: expected NAME[/NAME...][:TAG] of letters, digits and . _ -`,
    );
  }
  return name;
}

/** The stream of one image; names hold `/` and `:`, so they are encoded. */
export function imageStreamId(namespace: string, name: string): string {
  return `image/${namespace}/${encodeURIComponent(name)}`;
}

/** Decides `/images/create`; AlreadyExists when the name is taken. */
export function decideCreateImage(
  current: Image | undefined,
  namespace: string,
  command: { name: unknown; labels?: unknown; snapshotKey: string; size: number },
): NewEvent[] {
  const name = validateImageName(command.name);
  if (current) throw alreadyExists(`image "${name}" already exists in namespace "${namespace}"`);
  const labels = validateLabels(command.labels);
  return [
    {
      topic: '/images/create',
      // Beyond containerd's ImageCreate: the snapshot and size the projection needs on rebuild.
      event: { name, labels, snapshot_key: command.snapshotKey, size: command.size },
    },
  ];
}

/** Decides `/images/delete`; NotFound when missing. Use checks belong to the caller. */
export function decideDeleteImage(
  current: Image | undefined,
  namespace: string,
  name: string,
): NewEvent[] {
  requireImage(current, namespace, name);
  return [{ topic: '/images/delete', event: { name } }];
}

/** Throws NotFound unless the image exists. */
export function requireImage(current: Image | undefined, namespace: string, name: string): Image {
  if (!current) throw notFound(`image "${name}" not found in namespace "${namespace}"`);
  return current;
}

/** Applies one event of an image stream. */
export function evolveImage(state: Image | undefined, e: StoredEvent): Image | undefined {
  const p = e.event;
  switch (e.topic) {
    case '/images/create':
      return {
        namespace: e.namespace,
        name: p.name as string,
        labels: p.labels as Record<string, string>,
        snapshotKey: p.snapshot_key as string,
        size: p.size as number,
        createdAt: e.timestamp,
        updatedAt: e.timestamp,
      };
    case '/images/update':
      return (
        state && { ...state, labels: p.labels as Record<string, string>, updatedAt: e.timestamp }
      );
    case '/images/delete':
      return undefined;
    default:
      return state;
  }
}
