import { isAbsolute } from 'node:path';
import { containerStreamId, requireContainer } from '../domain/container.ts';
import { containerProjection } from '../domain/container-projection.ts';
import {
  alreadyExists,
  failedPrecondition,
  internal,
  invalidArgument,
  isTaskledgerError,
  unavailable,
} from '../domain/errors.ts';
import type { EventCause } from '../domain/event-envelope.ts';
import { validateIdentifier, validateLabels } from '../domain/identifiers.ts';
import {
  decideCreateImage,
  decideDeleteImage,
  imageStreamId,
  requireImage,
  validateImageName,
  type Image,
} from '../domain/image.ts';
import { imageProjection } from '../domain/image-projection.ts';
import type { AppendRequest, EventStore } from '../ports/event-store.ts';
import type { ImageUnpacker, UnpackProgress } from '../ports/image-unpacker.ts';
import type { SnapshotStorage } from '../ports/snapshot-storage.ts';
import type { SnapshotService, StagedSnapshot } from './snapshot-service.ts';

/** What a client sends to import an image. */
export interface ImportImage {
  /** The image's name. */
  readonly name: unknown;
  /** Absolute path, on the daemon's host, of a directory or an archive. */
  readonly source: unknown;
  /** Labels to put on the image. */
  readonly labels?: unknown;
}

/** Images: named, committed root filesystem snapshots that containers are created from. */
export interface ImageService {
  /** Checks an import before it starts (name free, labels, source path), so errors come back as plain answers. */
  checkImport(namespace: string, request: ImportImage): void;
  /**
   * Unpacks `request.source` into a new committed snapshot and names it, recording both in one
   * append only once the unpack succeeded: a failure leaves nothing in the log or on disk.
   */
  import(
    namespace: string,
    request: ImportImage,
    cause: EventCause,
    options?: { signal?: AbortSignal; onProgress?: (progress: UnpackProgress) => void },
  ): Promise<Image>;
  /** One image; NotFound when missing. */
  get(namespace: string, name: string): Image;
  /** The images of a namespace. */
  list(namespace: string): Image[];
  /** Deletes an image and its snapshot; FailedPrecondition naming a user while anything is built on it. */
  delete(namespace: string, name: string, cause: EventCause): void;
  /** Saves a container's changes (its upper layer, over its image) as a new image. */
  commit(
    namespace: string,
    containerId: string,
    request: { name: unknown; labels?: unknown },
    cause: EventCause,
    signal?: AbortSignal,
  ): Promise<Image>;
}

/** What the image service needs. */
export interface ImageServiceDeps {
  /** The log and its projections. */
  readonly store: EventStore;
  /** Snapshot bookkeeping. */
  readonly snapshots: SnapshotService;
  /** Snapshot directories (copies and sizes for commits). */
  readonly storage: SnapshotStorage;
  /** Turns sources into root filesystems. */
  readonly unpacker: ImageUnpacker;
}

/** Creates the image service. */
export function createImageService(deps: ImageServiceDeps): ImageService {
  const { store, snapshots } = deps;
  const load = (ns: string, name: string): Image | undefined =>
    store.load(imageProjection, imageStreamId(ns, name));
  /** Names being made right now: a second import of one fails at once instead of after its unpack. */
  const making = new Set<string>();

  const claimName = (ns: string, name: string): (() => void) => {
    const key = `${ns}/${name}`;
    if (load(ns, name) || making.has(key)) {
      throw alreadyExists(
        `image "${name}" already exists in namespace "${ns}"${making.has(key) ? ' (being made)' : ''}`,
      );
    }
    making.add(key);
    return () => making.delete(key);
  };

  /** Records a staged base and its image in one append; the staged directory is the log's after. */
  const record = (
    ns: string,
    staged: StagedSnapshot,
    name: string,
    labels: unknown,
    size: number,
    cause: EventCause,
  ): Image => {
    const streamId = imageStreamId(ns, name);
    const image: AppendRequest = {
      streamId,
      namespace: ns,
      expectedVersion: store.streamVersion(streamId),
      events: decideCreateImage(load(ns, name), ns, {
        name,
        labels,
        snapshotKey: staged.key,
        size,
      }),
    };
    store.append([...staged.requests(), image], cause);
    staged.done();
    return load(ns, name)!;
  };

  /** Runs `fill` on a staged base; any failure removes the base's directories and is re-thrown. */
  const withStaged = async <T>(
    staged: StagedSnapshot,
    what: string,
    signal: AbortSignal | undefined,
    fill: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await fill();
    } catch (error) {
      await staged.abandon();
      if (isTaskledgerError(error)) throw error;
      // The caller went away (or the daemon is stopping): not a fault of ours to log as one.
      if (signal?.aborted) throw unavailable(`${what} was cancelled; nothing was kept`, error);
      throw internal(`${what} failed: ${(error as Error)?.message ?? String(error)}`, error);
    }
  };

  const usersOf = (ns: string, key: string): string[] =>
    snapshots.children(ns, key).map((child) => {
      if (child.kind === 'active') {
        const c = store.list(containerProjection, { namespace: ns, snapshot_key: child.key })[0];
        return c ? `container "${c.id}"` : `snapshot "${child.key}"`;
      }
      const i = store.list(imageProjection, { namespace: ns, snapshot_key: child.key })[0];
      return i ? `image "${i.name}"` : `snapshot "${child.key}"`;
    });

  const checkImport = (ns: string, request: ImportImage): void => {
    validateIdentifier(ns, 'namespace');
    const name = validateImageName(request.name);
    validateLabels(request.labels);
    if (typeof request.source !== 'string' || !isAbsolute(request.source)) {
      throw invalidArgument('source must be an absolute path on the daemon host');
    }
    if (load(ns, name)) throw alreadyExists(`image "${name}" already exists in namespace "${ns}"`);
  };

  const get = (ns: string, name: string): Image => {
    validateIdentifier(ns, 'namespace');
    return requireImage(load(ns, validateImageName(name)), ns, name);
  };

  return {
    checkImport,

    async import(ns, request, cause, options = {}) {
      checkImport(ns, request);
      const name = request.name as string;
      const release = claimName(ns, name);
      try {
        const staged = snapshots.stageCommitted(ns, '');
        const what = `importing ${String(request.source)}`;
        return await withStaged(staged, what, options.signal, async () => {
          const result = await deps.unpacker.unpack(request.source as string, staged.paths.fs, {
            scratch: staged.paths.scratch,
            signal: options.signal,
            onProgress: options.onProgress,
          });
          options.signal?.throwIfAborted();
          return record(ns, staged, name, request.labels, result.bytes, cause);
        });
      } finally {
        release();
      }
    },

    get,

    list(ns) {
      validateIdentifier(ns, 'namespace');
      return store.list(imageProjection, { namespace: ns });
    },

    delete(ns, name, cause) {
      const image = get(ns, name);
      const users = usersOf(ns, image.snapshotKey);
      if (users.length > 0) {
        const more = users.length > 1 ? ` (and ${users.length - 1} more)` : '';
        const them = users.length > 1 ? 'them' : 'it';
        throw failedPrecondition(
          `image "${name}" is in use by ${users[0]}${more}: remove ${them} first`,
        );
      }
      const streamId = imageStreamId(ns, name);
      const events = decideDeleteImage(image, ns, name);
      store.append(
        [
          { streamId, namespace: ns, expectedVersion: store.streamVersion(streamId), events },
          snapshots.removeRequest(ns, image.snapshotKey, `image "${name}"`),
        ],
        cause,
      );
    },

    async commit(ns, containerId, request, cause, signal) {
      validateIdentifier(ns, 'namespace');
      const id = validateIdentifier(containerId, 'container id');
      const name = validateImageName(request.name);
      validateLabels(request.labels);
      const container = requireContainer(
        store.load(containerProjection, containerStreamId(ns, id)),
        ns,
        id,
      );
      const active = container.snapshotKey ? snapshots.get(ns, container.snapshotKey) : undefined;
      if (!active || active.kind !== 'active') {
        throw failedPrecondition(
          `container "${id}" has no snapshot of its own (it runs on ${container.rootfs || 'a snapshot taskledger did not make'}): only containers created from an image can be committed`,
        );
      }
      const release = claimName(ns, name);
      try {
        // The new base sits where the container's changes sat: on the container's own base.
        const staged = snapshots.stageCommitted(ns, active.parent);
        const what = `committing container "${id}"`;
        return await withStaged(staged, what, signal, async () => {
          await deps.storage.copy(active.id, staged.id, signal);
          const size = await deps.storage.usage(staged.id);
          signal?.throwIfAborted();
          return record(ns, staged, name, request.labels, size, cause);
        });
      } finally {
        release();
      }
    },
  };
}
