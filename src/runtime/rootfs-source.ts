import { invalidArgument } from '../domain/errors.ts';
import type { Mount, OciSpec } from '../ports/runtime.ts';

/** How a task's rootfs reaches runc. */
export type RootfsPlan =
  | {
      /** runc takes this host directory as `root.path` itself: nothing to mount or unmount. */
      readonly kind: 'directory';
      /** Absolute path of the directory. */
      readonly path: string;
      /** Whether the container sees it read-only (`root.readonly`). */
      readonly readonly: boolean;
    }
  | {
      /** These mounts are stacked at `<bundle>/rootfs`, which becomes `root.path`. */
      readonly kind: 'mounts';
      /** The mounts, in order. */
      readonly mounts: readonly Mount[];
    };

// Options of a bind that runc's own handling of root.path reproduces: runc bind-mounts the root
// onto itself recursively in the container's mount namespace, and remounts it read-only for
// `root.readonly`.
const directBindOptions = new Set(['rbind', 'rw', 'ro']);

/**
 * How to give runc a task's rootfs. containerd clients pass `Rootfs` mounts; `ctr run --rootfs
 * DIR` passes none and puts DIR in the spec's `root.path` instead. A plain directory (no mounts,
 * or one recursive bind of it) goes to runc as it is, like containerd's `WithRootFSPath`: a
 * `mount` and an `umount` process cost about 35 ms per task here. Anything else (overlays of
 * snapshots, binds with other options) is mounted at the bundle's rootfs. Pure.
 */
export function rootfsPlan(mounts: readonly Mount[], spec: OciSpec): RootfsPlan {
  const specReadonly = specRoot(spec).readonly === true;
  const [only] = mounts;
  if (
    mounts.length === 1 &&
    only !== undefined &&
    only.type === 'bind' &&
    only.source.startsWith('/') &&
    only.options.includes('rbind') &&
    only.options.every((option) => directBindOptions.has(option))
  ) {
    return {
      kind: 'directory',
      path: only.source,
      readonly: specReadonly || only.options.includes('ro'),
    };
  }
  if (mounts.length > 0) return { kind: 'mounts', mounts };
  const rootPath = specRoot(spec).path;
  if (typeof rootPath === 'string' && rootPath.startsWith('/')) {
    return { kind: 'directory', path: rootPath, readonly: specReadonly };
  }
  throw invalidArgument('no rootfs: give rootfs mounts, or an absolute root.path in the spec');
}

function specRoot(spec: OciSpec): { path?: unknown; readonly?: unknown } {
  const root = spec.root;
  return typeof root === 'object' && root !== null ? root : {};
}
