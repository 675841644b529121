import { invalidArgument } from '../domain/errors.ts';
import type { Mount, OciSpec } from '../ports/runtime.ts';

/**
 * The mounts that make a task's rootfs. containerd clients pass them as `Rootfs` mounts; `ctr
 * run --rootfs DIR` passes none and puts DIR in the spec's `root.path` instead. Either way the
 * runtime mounts the result at `<bundle>/rootfs`, so every bundle looks the same (an absolute
 * `root.path` becomes a recursive bind mount). Pure.
 */
export function rootfsMounts(mounts: readonly Mount[], spec: OciSpec): readonly Mount[] {
  if (mounts.length > 0) return mounts;
  const root = spec.root;
  const rootPath =
    typeof root === 'object' && root !== null ? (root as { path?: unknown }).path : undefined;
  if (typeof rootPath === 'string' && rootPath.startsWith('/')) {
    return [{ type: 'bind', source: rootPath, options: ['rbind'] }];
  }
  throw invalidArgument('no rootfs: give rootfs mounts, or an absolute root.path in the spec');
}
