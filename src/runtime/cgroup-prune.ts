import { readdir, rmdir } from 'node:fs/promises';
import path from 'node:path';

/** The directories directly in `dir` (child cgroups, in a cgroup); none when it is unreadable. */
export const subdirectories = async (dir: string): Promise<string[]> => {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(dir, entry.name));
  } catch {
    return [];
  }
};

/**
 * Removes the empty cgroups runc leaves above a task's own: `runc delete` removes the task's
 * cgroup but not its parents (`<parent>/<namespace>` and `<parent>`), and every cgroup v1
 * hierarchy keeps a copy. Only `rmdir` is used, which the kernel refuses for a cgroup that still
 * has children or processes, so a running task's cgroups are never touched.
 *
 * Run it when no create is in flight (at close): runc builds the path with mkdir -p, and a
 * parent removed between two of its mkdirs would fail that create.
 */
export async function pruneCgroupParents(
  parent: string,
  cgroupRoot = '/sys/fs/cgroup',
): Promise<void> {
  const hierarchies = [cgroupRoot, ...(await subdirectories(cgroupRoot))];
  await Promise.all(
    hierarchies.map(async (hierarchy) => {
      const dir = path.join(hierarchy, parent);
      await Promise.all(
        (await subdirectories(dir)).map((namespace) => rmdir(namespace).catch(() => undefined)),
      );
      await rmdir(dir).catch(() => undefined);
    }),
  );
}
