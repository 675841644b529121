import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { TarEntryType } from './tar-header.ts';
import type { TarEntry, TarMember } from './tar-reader.ts';

/** A directory tree read as archive entries, so it is imported by the same (checked) writer. */
export interface ScannedTree {
  /** Entries in pre-order: a directory before what it holds. */
  readonly entries: readonly (TarEntry & { readonly host: string })[];
  /** Bytes of regular file data, for progress. */
  readonly totalBytes: number;
}

/**
 * Walks `dir` without following symlinks. A file seen again through another hard link becomes a
 * hard link entry; sockets are skipped (they are no content).
 */
export async function scanDirectory(dir: string, signal?: AbortSignal): Promise<ScannedTree> {
  const entries: (TarEntry & { host: string })[] = [];
  const inodes = new Map<string, string>();
  let totalBytes = 0;
  const visit = async (host: string, path: string): Promise<void> => {
    signal?.throwIfAborted();
    const st = await lstat(host);
    let type: TarEntryType | undefined;
    let linkname = '';
    if (st.isDirectory()) type = 'directory';
    else if (st.isSymbolicLink()) {
      type = 'symlink';
      linkname = await readlink(host);
    } else if (st.isFile()) {
      const inode = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? inodes.get(inode) : undefined;
      if (first !== undefined) {
        type = 'hardlink';
        linkname = first;
      } else {
        type = 'file';
        if (st.nlink > 1) inodes.set(inode, path);
        totalBytes += st.size;
      }
    } else if (st.isCharacterDevice()) type = 'char';
    else if (st.isBlockDevice()) type = 'block';
    else if (st.isFIFO()) type = 'fifo';
    if (!type) return;
    entries.push({
      host,
      path: path === '' ? '.' : path,
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: type === 'file' ? st.size : 0,
      mtime: st.mtimeMs / 1000,
      linkname,
      devmajor: Math.floor(st.rdev / 256) & 0xfff,
      devminor: (st.rdev & 0xff) | ((st.rdev >>> 12) & 0xfff00),
    });
    if (type !== 'directory') return;
    for (const child of (await readdir(host)).sort()) {
      await visit(join(host, child), path === '' ? child : `${path}/${child}`);
    }
  };
  await visit(dir, '');
  return { entries, totalBytes };
}

/** The scanned entries as archive members; file bodies are read when the writer asks. */
export function* membersOf(tree: ScannedTree, signal?: AbortSignal): Generator<TarMember> {
  for (const { host, ...entry } of tree.entries) {
    // Lazy: the file is opened only when the writer reads the body (never, if it refuses the entry).
    const body = (async function* (): AsyncGenerator<Buffer> {
      if (entry.type !== 'file' || entry.size === 0) return;
      yield* createReadStream(host, { signal, highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>;
    })();
    yield { entry, body };
  }
}
