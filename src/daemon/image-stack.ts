import { join } from 'node:path';
import type { Observable } from 'rxjs';
import { createImageUnpacker } from '../archive/image-unpacker.ts';
import type { StoredEvent } from '../domain/event-envelope.ts';
import type { EventStore } from '../ports/event-store.ts';
import { createImageService, type ImageService } from '../services/image-service.ts';
import { createSnapshotService, type SnapshotService } from '../services/snapshot-service.ts';
import { createOverlayStorage } from '../snapshots/overlay-storage.ts';

/** The image and snapshot services over `<root>/snapshots`, wired for the daemon. */
export function createImageStack(deps: {
  /** The daemon's persistent root; snapshots live in its `snapshots` directory. */
  readonly root: string;
  /** The log. */
  readonly store: EventStore;
  /** Committed events (the bus's live stream). */
  readonly committed: Observable<StoredEvent>;
  /** Diagnostics. */
  readonly log: (line: string) => void;
}): { snapshots: SnapshotService; images: ImageService } {
  const storage = createOverlayStorage(join(deps.root, 'snapshots'));
  const snapshots = createSnapshotService({ ...deps, storage });
  const images = createImageService({
    store: deps.store,
    snapshots,
    storage,
    unpacker: createImageUnpacker(),
  });
  return { snapshots, images };
}
