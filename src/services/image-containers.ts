import { isTaskledgerError } from '../domain/errors.ts';
import { validateIdentifier } from '../domain/identifiers.ts';
import type { ContainerService } from './container-service.ts';
import type { ImageService } from './image-service.ts';
import type { SnapshotService } from './snapshot-service.ts';

/**
 * The container service, with `create` taking an image: a create that names an image (and no
 * rootfs or snapshot key of its own) gets an active snapshot over the image's base, keyed by the
 * container id, recorded in the same append as the container. Everything else passes through.
 */
export function withImageSnapshots(
  containers: ContainerService,
  deps: { readonly images: ImageService; readonly snapshots: SnapshotService },
): ContainerService {
  return {
    ...containers,
    create(namespace, command, cause, also = []) {
      const image = command.image;
      const ownRoot = Boolean(command.rootfs) || Boolean(command.snapshotKey);
      if (typeof image !== 'string' || image === '' || ownRoot) {
        return containers.create(namespace, command, cause, also);
      }
      validateIdentifier(namespace, 'namespace');
      const id = validateIdentifier(command.id, 'container id');
      const base = deps.images.get(namespace, image);
      // A taken id is refused by the container's own decider, before any directory is made.
      if (exists(containers, namespace, id))
        return containers.create(namespace, command, cause, also);
      const staged = deps.snapshots.prepareActive(namespace, id, base.snapshotKey);
      try {
        const created = containers.create(
          namespace,
          { ...command, snapshotKey: staged.key },
          cause,
          [...also, ...staged.requests()],
        );
        staged.done();
        return created;
      } catch (error) {
        void staged.abandon();
        throw error;
      }
    },
  };
}

function exists(containers: ContainerService, namespace: string, id: string): boolean {
  try {
    containers.get(namespace, id);
    return true;
  } catch (error) {
    if (isTaskledgerError(error, 'NotFound')) return false;
    throw error;
  }
}
