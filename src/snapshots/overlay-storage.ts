import { mkdirSync, readdirSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { failedPrecondition, internal } from '../domain/errors.ts';
import type { SnapshotPaths, SnapshotStorage } from '../ports/snapshot-storage.ts';

/** mount(2) takes its options in one page; overlay's lowerdir list must fit in it. */
const maxMountOptionBytes = 4000;

/** Copying a large upper layer can take a while, but not forever. */
const copyTimeoutMs = 30 * 60_000;

/** Snapshot directories under `root` (made if missing), mounted with overlayfs. */
export function createOverlayStorage(root: string): SnapshotStorage {
  // overlay splits its options at `,` and lowerdir at `:`: a root holding them cannot be mounted.
  if (/[,:\\]/.test(root)) {
    throw failedPrecondition(
      `snapshot root ${root} must not contain ",", ":" or "\\" (overlayfs option separators)`,
    );
  }
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const paths = (id: number): SnapshotPaths => {
    const dir = join(root, String(id));
    return { dir, fs: join(dir, 'fs'), work: join(dir, 'work'), scratch: join(dir, 'scratch') };
  };
  const checkName = (name: string): void => {
    if (name === '' || name === '.' || name === '..' || name.includes('/')) {
      throw internal(`refusing to remove snapshot entry ${JSON.stringify(name)}`);
    }
  };

  return {
    root,
    paths,
    async entries() {
      return readdir(root);
    },
    highestIdSync() {
      return readdirSync(root)
        .filter((name) => /^[1-9][0-9]*$/.test(name))
        .reduce((max, name) => Math.max(max, Number(name)), 0);
    },
    create(id, active) {
      const p = paths(id);
      mkdirSync(p.dir, { mode: 0o700 }); // throws EEXIST: ids are never shared
      mkdirSync(p.fs, { mode: 0o755 });
      if (active) mkdirSync(p.work, { mode: 0o700 });
    },
    async copy(from, to, signal) {
      // cp -a keeps what a Node copy would lose: overlay whiteouts (0/0 character devices),
      // opaque-directory xattrs, owners, hard links. `/.` copies the contents, not the directory.
      const result = await execa(
        'cp',
        ['-a', '--reflink=auto', '--', `${paths(from).fs}/.`, paths(to).fs],
        {
          reject: false,
          timeout: copyTimeoutMs,
          cancelSignal: signal,
        },
      );
      if (result.failed) {
        throw internal(
          `copying snapshot ${from} failed: ${result.stderr.trim() || result.shortMessage}`,
        );
      }
    },
    async remove(name) {
      checkName(name);
      await rm(join(root, name), { recursive: true, force: true, maxRetries: 3 });
    },
    async usage(id) {
      const result = await execa('du', ['-s', '--bytes', '--', paths(id).fs], {
        reject: false,
        timeout: 120_000,
      });
      const bytes = Number(result.stdout.split('\t')[0]);
      if (result.failed || !Number.isFinite(bytes)) {
        throw internal(
          `measuring snapshot ${id} failed: ${result.stderr.trim() || result.shortMessage}`,
        );
      }
      return bytes;
    },
    mounts(id, lowers) {
      const own = paths(id);
      if (lowers.length === 0) return [{ type: 'bind', source: own.fs, options: ['rbind', 'rw'] }];
      const options = [
        `lowerdir=${lowers.map((lower) => paths(lower).fs).join(':')}`,
        `upperdir=${own.fs}`,
        `workdir=${own.work}`,
      ];
      if (options.join(',').length > maxMountOptionBytes) {
        throw failedPrecondition(
          `snapshot ${id} sits on ${lowers.length} layers, too many for one overlay mount: commit to a flatter base`,
        );
      }
      return [{ type: 'overlay', source: 'overlay', options }];
    },
  };
}
