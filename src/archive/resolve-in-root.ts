import { lstat, mkdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidArgument } from '../domain/errors.ts';

/** Symlinks followed while resolving one path before giving up (Linux's own limit). */
const maxSymlinkHops = 40;

/**
 * Resolves the directory `parts` inside `root` on the host, for an archive entry to be written
 * in it. It never leaves `root`: a relative symlink on the way is followed only while it stays
 * inside (layers rely on `lib -> usr/lib`); an absolute one, or one climbing out, is refused, so
 * `evil -> /etc` followed by `evil/passwd` cannot reach the host. Missing directories are made
 * (mode 0755) when `create` is set; otherwise a missing one is undefined.
 */
export async function resolveDirInRoot(
  root: string,
  parts: readonly string[],
  entryName: string,
  create: boolean,
): Promise<string | undefined> {
  const resolved: string[] = [];
  const queue = [...parts];
  let hops = 0;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // Only symlink targets bring `..` here (entry names were checked); popping past the root escapes.
      if (resolved.length === 0)
        throw escapes(entryName, 'a symlink on its path climbs out of the image root');
      resolved.pop();
      continue;
    }
    const host = join(root, ...resolved, part);
    const stat = await lstat(host).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!stat) {
      if (!create) return undefined;
      await mkdir(host, { mode: 0o755 });
      resolved.push(part);
      continue;
    }
    if (stat.isSymbolicLink()) {
      if (++hops > maxSymlinkHops)
        throw escapes(entryName, 'too many levels of symlinks on its path');
      const target = await readlink(host);
      const linkPath = [...resolved, part].join('/');
      if (target.startsWith('/')) {
        throw escapes(
          entryName,
          `"${linkPath}" on its path is a symlink to "${target}", an absolute path`,
        );
      }
      queue.unshift(...target.split('/'));
      continue;
    }
    if (!stat.isDirectory()) {
      throw invalidArgument(
        `archive entry "${entryName}": "${[...resolved, part].join('/')}" is not a directory`,
      );
    }
    resolved.push(part);
  }
  return join(root, ...resolved);
}

function escapes(entryName: string, why: string): Error {
  return invalidArgument(
    `archive entry "${entryName}" would be written outside the image root: ${why}`,
  );
}
