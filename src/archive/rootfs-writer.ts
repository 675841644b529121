import {
  link,
  lchown,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  rm,
  symlink,
  chmod,
  chown,
  utimes,
} from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { execa } from 'execa';
import {
  entryPathParts,
  symlinkTargetEscapes,
  whiteoutOf,
  type Whiteout,
} from '../domain/archive-entry-path.ts';
import { invalidArgument } from '../domain/errors.ts';
import { resolveDirInRoot } from './resolve-in-root.ts';
import type { TarEntry, TarMember } from './tar-reader.ts';

/** Writes archive entries into a root directory, never outside it. */
export interface RootfsWriter {
  /** Applies one entry (and consumes its body); InvalidArgument names an entry that is refused. */
  write(member: TarMember): Promise<void>;
  /** Sets directory times, last: writing into a directory changes its mtime. */
  finish(): Promise<void>;
  /** Bytes of file data written so far. */
  readonly bytesWritten: number;
}

/**
 * A writer into `root`. With `whiteouts` (OCI layers), `.wh.NAME` deletes NAME from the layers
 * already applied and `.wh..wh..opq` empties its directory of them, sparing what this layer
 * wrote; use one writer per layer. Ownership, modes (setuid included) and times are kept.
 */
export function createRootfsWriter(root: string, options: { whiteouts: boolean }): RootfsWriter {
  /** Paths (relative to root) this layer wrote, so an opaque marker spares them. */
  const touched = new Set<string>();
  const dirTimes: [string, number][] = [];
  let bytesWritten = 0;
  /**
   * Directories already resolved, by entry path: most entries share their parent with the one
   * before. Anything removed may have been on a cached path, so every removal empties it.
   */
  const resolvedDirs = new Map<string, string>();
  const dirOf = async (parts: readonly string[], name: string, create: boolean) => {
    const key = parts.join('/');
    const cached = resolvedDirs.get(key);
    if (cached !== undefined) return cached;
    const dir = await resolveDirInRoot(root, parts, name, create);
    if (dir !== undefined) resolvedDirs.set(key, dir);
    return dir;
  };
  const remove = async (path: string): Promise<void> => {
    resolvedDirs.clear();
    await rm(path, { recursive: true, force: true });
  };

  const touch = (host: string): void => {
    for (let rel = relative(root, host); rel !== '' && rel !== '.'; rel = dirname(rel))
      touched.add(rel);
  };

  const applyWhiteout = async (w: Whiteout, name: string): Promise<void> => {
    if (w.kind === 'opaque') {
      const dir = (await dirOf(w.dir, name, true))!;
      touch(dir);
      for (const child of await readdir(dir)) {
        const host = join(dir, child);
        if (!touched.has(relative(root, host))) await remove(host);
      }
      return;
    }
    const dir = await dirOf(w.parts.slice(0, -1), name, false);
    if (dir) await remove(join(dir, w.parts[w.parts.length - 1]!));
  };

  const writeFile = async (
    target: string,
    entry: TarEntry,
    body: AsyncIterable<Buffer>,
  ): Promise<void> => {
    // `wx`: never through a symlink or onto something left there.
    const handle = await open(target, 'wx', 0o600);
    try {
      for await (const chunk of body) {
        await handle.write(chunk);
        bytesWritten += chunk.length;
      }
      await ignoreUnprivileged(handle.chown(entry.uid, entry.gid));
      await handle.chmod(entry.mode); // after chown, which clears setuid bits
    } finally {
      await handle.close();
    }
    await utimes(target, entry.mtime, entry.mtime);
  };

  const hardlinkSource = async (entry: TarEntry, parts: readonly string[]): Promise<string> => {
    const name = entry.path;
    const target = entry.linkname;
    if (target.startsWith('/') || target.split('/').includes('..') || target.includes('\0')) {
      throw invalidArgument(
        `archive entry "${name}" is a hard link to "${target}", outside the image root`,
      );
    }
    const targetParts = entryPathParts(target);
    if (targetParts.length === 0 || targetParts.join('/') === parts.join('/')) {
      throw invalidArgument(`archive entry "${name}" is a hard link to itself or to the root`);
    }
    const dir = await dirOf(targetParts.slice(0, -1), name, false);
    const source = dir && join(dir, targetParts[targetParts.length - 1]!);
    const stat = source ? await lstatOrUndefined(source) : undefined;
    if (!source || !stat) {
      throw invalidArgument(
        `archive entry "${name}" is a hard link to "${target}", which the archive has not made`,
      );
    }
    if (stat.isDirectory())
      throw invalidArgument(`archive entry "${name}" is a hard link to a directory`);
    return source;
  };

  const makeSpecial = async (target: string, entry: TarEntry): Promise<void> => {
    const kind = entry.type === 'char' ? 'c' : entry.type === 'block' ? 'b' : 'p';
    const numbers = kind === 'p' ? [] : [String(entry.devmajor), String(entry.devminor)];
    // Node has no mknod(2); devices are rare in image layers, so one process each is fine.
    const result = await execa(
      'mknod',
      ['-m', (entry.mode & 0o7777).toString(8), '--', target, kind, ...numbers],
      {
        reject: false,
        timeout: 10_000,
      },
    );
    if (result.failed) {
      throw invalidArgument(
        `archive entry "${entry.path}": cannot make the device: ${result.stderr || result.shortMessage}`,
      );
    }
    await ignoreUnprivileged(lchown(target, entry.uid, entry.gid));
  };

  return {
    get bytesWritten() {
      return bytesWritten;
    },
    async write({ entry, body }) {
      const name = entry.path;
      const parts = entryPathParts(name);
      const whiteout = options.whiteouts ? whiteoutOf(parts) : undefined;
      if (whiteout) return applyWhiteout(whiteout, name);
      if (parts.length === 0) {
        if (entry.type !== 'directory')
          throw invalidArgument(`archive entry "${name}" would replace the image root`);
        await setDirAttributes(root, entry);
        dirTimes.push([root, entry.mtime]);
        return;
      }
      const dir = (await dirOf(parts.slice(0, -1), name, true))!;
      const target = join(dir, parts[parts.length - 1]!);
      touch(target);
      const existing = await lstatOrUndefined(target);
      if (entry.type === 'directory') {
        if (existing && !existing.isDirectory()) await remove(target);
        if (!existing?.isDirectory()) await mkdir(target, { mode: 0o700 });
        await setDirAttributes(target, entry);
        dirTimes.push([target, entry.mtime]);
        return;
      }
      if (entry.type === 'symlink' && symlinkTargetEscapes(parts, entry.linkname)) {
        throw invalidArgument(
          `archive entry "${name}" is a symlink to "${entry.linkname}", which climbs out of the image root`,
        );
      }
      const source = entry.type === 'hardlink' ? await hardlinkSource(entry, parts) : undefined;
      if (existing) await remove(target);
      switch (entry.type) {
        case 'file':
          return writeFile(target, entry, body);
        case 'symlink':
          await symlink(entry.linkname, target);
          await ignoreUnprivileged(lchown(target, entry.uid, entry.gid));
          await lutimes(target, entry.mtime, entry.mtime);
          return;
        case 'hardlink':
          await link(source!, target);
          return;
        default:
          return makeSpecial(target, entry);
      }
    },
    async finish() {
      // Deepest first, so setting a parent's time is not undone by touching its child.
      dirTimes.sort((a, b) => b[0].length - a[0].length);
      for (const [dir, mtime] of dirTimes) {
        await utimes(dir, mtime, mtime).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error; // removed by a later entry
        });
      }
    },
  };
}

async function setDirAttributes(dir: string, entry: TarEntry): Promise<void> {
  await ignoreUnprivileged(chown(dir, entry.uid, entry.gid));
  await chmod(dir, entry.mode);
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  return lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/** Ownership is kept when running as root; an unprivileged unpack keeps its own. */
async function ignoreUnprivileged(operation: Promise<void>): Promise<void> {
  await operation.catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPERM' && error.code !== 'EINVAL') throw error;
  });
}
