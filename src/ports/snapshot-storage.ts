import type { Mount } from './runtime.ts';

/** Where one snapshot lives on disk. */
export interface SnapshotPaths {
  /** The snapshot's own directory, `<snapshots>/<id>`. */
  readonly dir: string;
  /** Its filesystem: the upper layer of an active snapshot, a lower layer of a committed one. */
  readonly fs: string;
  /** overlayfs's work directory (active snapshots only). */
  readonly work: string;
  /** Room for an import's archive blobs, removed when the import ends. */
  readonly scratch: string;
}

/**
 * Snapshot directories on disk, after containerd's overlay snapshotter: `<snapshots>/<id>/fs`
 * and `work`, numbered ids that are never shared. It knows nothing of keys, parents or the log.
 */
export interface SnapshotStorage {
  /** The directory holding every snapshot (for disk usage reports). */
  readonly root: string;
  /** Paths of snapshot `id` (nothing is created). */
  paths(id: number): SnapshotPaths;
  /** Names of every entry in {@link root}: snapshot ids, and whatever a crash left. */
  entries(): Promise<string[]>;
  /** Highest numeric entry on disk (0 when none), read once when the daemon starts. */
  highestIdSync(): number;
  /**
   * Makes the directories of snapshot `id` (`fs`, and `work` when `active`). Synchronous: three
   * mkdirs, so a container create stays one synchronous step. Throws when `id` exists.
   */
  create(id: number, active: boolean): void;
  /** Copies the filesystem of snapshot `from` into the (created) snapshot `to`, keeping everything (whiteouts, xattrs, owners). */
  copy(from: number, to: number, signal?: AbortSignal): Promise<void>;
  /** Removes the entry `name` of {@link root} and all below it; a no-op when it is gone. */
  remove(name: string): Promise<void>;
  /** Bytes the files of snapshot `id` take (apparent sizes). */
  usage(id: number): Promise<number>;
  /**
   * The mounts of snapshot `id` over `lowers` (ids, nearest first), as containerd returns them:
   * an overlay (`lowerdir`, `upperdir`, `workdir`), or a read-write bind of `fs` with no lowers.
   */
  mounts(id: number, lowers: readonly number[]): Mount[];
}
