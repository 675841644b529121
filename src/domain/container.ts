import { alreadyExists, invalidArgument, notFound } from './errors.ts';
import type { NewEvent, StoredEvent } from './event-envelope.ts';
import { validateIdentifier, validateLabels } from './identifiers.ts';
import { applyLabelPath } from './label-update.ts';
import type { Timestamp } from './timestamp.ts';

/** containerd's default runtime name. */
export const defaultRuntimeName = 'io.containerd.runc.v2';

/** A container: pure metadata, no runtime state (containerd's `containers.Container`). */
export interface Container {
  /** Namespace it lives in. */
  readonly namespace: string;
  /** Container id, unique in its namespace. */
  readonly id: string;
  /** User labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** The OCI runtime spec. */
  readonly spec: Record<string, unknown>;
  /** Absolute path of the root filesystem directory (empty when an image snapshot is used). */
  readonly rootfs: string;
  /** Runtime name and options. */
  readonly runtime: { readonly name: string; readonly options: unknown };
  /** Image the container was made from; empty for a plain rootfs directory. */
  readonly image: string;
  /** Snapshot holding the container's root filesystem; empty for a plain rootfs directory. */
  readonly snapshotKey: string;
  /** When it was created. */
  readonly createdAt: Timestamp;
  /** When it last changed. */
  readonly updatedAt: Timestamp;
}

/** What a client sends to create a container. */
export interface CreateContainer {
  /** Requested id (validated). */
  readonly id: unknown;
  /** Labels (validated). */
  readonly labels?: unknown;
  /** OCI spec (validated). */
  readonly spec: unknown;
  /** Rootfs directory, or empty with a snapshot key. */
  readonly rootfs?: unknown;
  /** Runtime name and options. */
  readonly runtime?: { readonly name?: unknown; readonly options?: unknown } | undefined;
  /** Image name, for image containers. */
  readonly image?: unknown;
  /** Prepared snapshot, for image containers. */
  readonly snapshotKey?: unknown;
}

/** What a client sends to update a container: the fields named by `updateMask` are applied. */
export interface UpdateContainer {
  /** New labels. */
  readonly labels?: unknown;
  /** New spec. */
  readonly spec?: unknown;
  /**
   * Field paths to apply, as in containerd: `labels`, `labels.KEY`, `spec`. Empty means
   * every field given.
   */
  readonly updateMask?: readonly string[];
}

/** The stream a container's events live in. */
export function containerStreamId(namespace: string, id: string): string {
  return `container/${namespace}/${id}`;
}

/** Decides the event that creates a container, or throws AlreadyExists / InvalidArgument. */
export function decideCreateContainer(
  current: Container | undefined,
  namespace: string,
  command: CreateContainer,
): NewEvent[] {
  const id = validateIdentifier(command.id, 'container id');
  if (current) throw alreadyExists(`container "${id}" already exists in namespace "${namespace}"`);
  const labels = validateLabels(command.labels);
  const spec = validateSpec(command.spec);
  const rootfs = optionalString(command.rootfs, 'rootfs');
  const image = optionalString(command.image, 'image');
  const snapshotKey = optionalString(command.snapshotKey, 'snapshot key');
  if (rootfs === '' && snapshotKey === '') {
    throw invalidArgument('a container needs a rootfs directory (or an image)');
  }
  if (rootfs !== '') validateRootfs(rootfs);
  const runtimeName = optionalString(command.runtime?.name, 'runtime name') || defaultRuntimeName;
  const options = command.runtime?.options ?? null;
  return [
    {
      topic: '/containers/create',
      event: {
        id,
        image,
        runtime: { name: runtimeName, options },
        // Beyond containerd's ContainerCreate: what the projection needs to be rebuilt from the log.
        labels,
        spec,
        rootfs,
        snapshot_key: snapshotKey,
      },
    },
  ];
}

/** Decides the event that updates a container's labels and/or spec. */
export function decideUpdateContainer(
  current: Container | undefined,
  namespace: string,
  id: string,
  command: UpdateContainer,
): NewEvent[] {
  const container = requireContainer(current, namespace, id);
  const mask = command.updateMask ?? [];
  const labels = { ...container.labels };
  let spec: Record<string, unknown> | undefined;
  const given = mask.length > 0 ? mask : fieldsGiven(command);
  for (const path of given) {
    if (applyLabelPath(labels, path, command.labels)) {
      continue;
    } else if (path === 'spec') {
      spec = validateSpec(command.spec);
    } else {
      throw invalidArgument(`cannot update field path "${path}": only labels, labels.KEY and spec`);
    }
  }
  // An empty label value removes the label, as `ctr containers label` does.
  for (const [key, value] of Object.entries(labels)) if (value === '') delete labels[key];
  const event: Record<string, unknown> = {
    id: container.id,
    image: container.image,
    labels,
    snapshot_key: container.snapshotKey,
  };
  if (spec) event.spec = spec;
  return [{ topic: '/containers/update', event }];
}

/** Decides the event that deletes a container. Task checks belong to the caller. */
export function decideDeleteContainer(
  current: Container | undefined,
  namespace: string,
  id: string,
): NewEvent[] {
  const container = requireContainer(current, namespace, id);
  return [{ topic: '/containers/delete', event: { id: container.id } }];
}

/** Applies one stored event of a container stream to the container's state. */
export function evolveContainer(
  state: Container | undefined,
  e: StoredEvent,
): Container | undefined {
  const p = e.event;
  switch (e.topic) {
    case '/containers/create': {
      const runtime = p.runtime as { name: string; options: unknown };
      return {
        namespace: e.namespace,
        id: p.id as string,
        labels: p.labels as Record<string, string>,
        spec: p.spec as Record<string, unknown>,
        rootfs: p.rootfs as string,
        runtime: { name: runtime.name, options: runtime.options ?? null },
        image: p.image as string,
        snapshotKey: (p.snapshot_key as string | undefined) ?? '',
        createdAt: e.timestamp,
        updatedAt: e.timestamp,
      };
    }
    case '/containers/update':
      if (!state) return state;
      return {
        ...state,
        labels: p.labels as Record<string, string>,
        spec: (p.spec as Record<string, unknown> | undefined) ?? state.spec,
        updatedAt: e.timestamp,
      };
    case '/containers/delete':
      return undefined;
    default:
      return state;
  }
}

/** Throws NotFound unless the container exists. */
export function requireContainer(
  current: Container | undefined,
  namespace: string,
  id: string,
): Container {
  if (!current) throw notFound(`container "${id}" not found in namespace "${namespace}"`);
  return current;
}

/** Throws InvalidArgument unless `spec` is an OCI spec object with a non-empty `process.args`. */
export function validateSpec(spec: unknown): Record<string, unknown> {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw invalidArgument('spec must be a JSON object (an OCI runtime spec)');
  }
  const process = (spec as Record<string, unknown>).process as Record<string, unknown> | undefined;
  const args = process?.args;
  if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string')) {
    throw invalidArgument('spec.process.args must be a non-empty array of strings');
  }
  return spec as Record<string, unknown>;
}

/** Throws InvalidArgument unless `rootfs` is an absolute, normalised path with no `..` tricks. */
export function validateRootfs(rootfs: string): void {
  if (!rootfs.startsWith('/')) throw invalidArgument(`rootfs "${rootfs}" must be an absolute path`);
  if (rootfs.includes('\0')) throw invalidArgument('rootfs must not contain NUL bytes');
  if (rootfs.split('/').some((part) => part === '..' || part === '.')) {
    throw invalidArgument(`rootfs "${rootfs}" must not contain "." or ".." components`);
  }
}

function optionalString(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalidArgument(`${what} must be a string`);
  return value;
}

function fieldsGiven(command: UpdateContainer): string[] {
  const fields: string[] = [];
  if (command.labels !== undefined) fields.push('labels');
  if (command.spec !== undefined) fields.push('spec');
  if (fields.length === 0) throw invalidArgument('update names no field: give labels or spec');
  return fields;
}
