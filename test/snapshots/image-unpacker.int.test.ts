import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createImageUnpacker } from '../../src/archive/image-unpacker.ts';
import { ociLayout, tarOf, type FixtureEntry } from './tar-fixture.ts';

const unpacker = createImageUnpacker();

describe('image unpacker on a real filesystem', () => {
  let dir: string;
  let n = 0;
  let target: string;
  let scratch: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'taskledger-unpack-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    n++;
    target = join(dir, `t${n}`, 'fs');
    scratch = join(dir, `t${n}`, 'scratch');
    mkdirSync(target, { recursive: true });
  });

  const file = (name: string, bytes: Buffer): string => {
    const path = join(dir, `${n}-${name}`);
    writeFileSync(path, bytes);
    return path;
  };
  const unpack = (source: string) => unpacker.unpack(source, target, { scratch });
  const rootfs: FixtureEntry[] = [
    { name: './', type: 'dir' },
    { name: './bin/', type: 'dir' },
    { name: './bin/busybox', content: 'ELF', mode: 0o755 },
    { name: './bin/sh', type: 'symlink', linkname: '/bin/busybox' },
    { name: './bin/su', content: 'setuid', mode: 0o4755, uid: 0 },
    { name: './etc/passwd', content: 'root:x:0:0\n', uid: 1000, gid: 1000 },
    { name: './etc/passwd-', type: 'hardlink', linkname: './etc/passwd' },
    { name: './lib', type: 'symlink', linkname: 'usr/lib' },
    { name: './usr/lib/', type: 'dir' },
    { name: './lib/libc.so', content: 'libc' },
  ];

  it('unpacks a plain tar with modes, owners, symlinks and hard links', async () => {
    const result = await unpack(file('root.tar', tarOf(rootfs)));
    expect(result).toMatchObject({ format: 'tar', layers: 1 });
    expect(readlinkSync(join(target, 'bin/sh'))).toBe('/bin/busybox');
    expect(statSync(join(target, 'bin/su')).mode & 0o7777).toBe(0o4755);
    expect(statSync(join(target, 'etc/passwd'))).toMatchObject({ uid: 1000, gid: 1000 });
    expect(statSync(join(target, 'etc/passwd-')).ino).toBe(
      statSync(join(target, 'etc/passwd')).ino,
    );
    // Written through the in-root relative symlink lib -> usr/lib, as layers rely on.
    expect(readFileSync(join(target, 'usr/lib/libc.so'), 'utf8')).toBe('libc');
    expect(existsSync(scratch)).toBe(false);
  });

  it('unpacks a gzipped tar the same way', async () => {
    const result = await unpack(file('root.tar.gz', gzipSync(tarOf(rootfs))));
    expect(result.format).toBe('tar');
    expect(readFileSync(join(target, 'bin/busybox'), 'utf8')).toBe('ELF');
  });

  it('copies a directory, keeping symlinks unfollowed', async () => {
    const src = join(dir, 'srcdir');
    mkdirSync(join(src, 'etc'), { recursive: true });
    writeFileSync(join(src, 'etc/hostname'), 'box\n');
    await unpack(file('seed.tar', tarOf(rootfs))); // make a tree with links to copy from
    const copyTarget = join(dir, `copy${n}`);
    mkdirSync(copyTarget);
    const result = await unpacker.unpack(target, copyTarget, { scratch: join(dir, `cs${n}`) });
    expect(result.format).toBe('directory');
    expect(readlinkSync(join(copyTarget, 'bin/sh'))).toBe('/bin/busybox');
    expect(lstatSync(join(copyTarget, 'lib')).isSymbolicLink()).toBe(true);
    expect(statSync(join(copyTarget, 'etc/passwd-')).ino).toBe(
      statSync(join(copyTarget, 'etc/passwd')).ino,
    );
  });

  it('applies OCI layers in order with whiteouts and opaque directories', async () => {
    const layout = ociLayout(join(dir, `oci${n}`), [
      {
        gzip: true,
        entries: [
          { name: 'etc/motd', content: 'hello' },
          { name: 'etc/issue', content: 'v1' },
          { name: 'var/cache/old-1', content: 'x' },
          { name: 'var/cache/old-2', content: 'y' },
        ],
      },
      {
        entries: [
          { name: 'etc/.wh.motd', content: '' },
          { name: 'etc/issue', content: 'v2' },
          { name: 'var/cache/new', content: 'z' },
          { name: 'var/cache/.wh..wh..opq', content: '' },
        ],
      },
    ]);
    const result = await unpack(file('image.tar', layout));
    expect(result).toMatchObject({ format: 'oci', layers: 2 });
    expect(existsSync(join(target, 'etc/motd'))).toBe(false);
    expect(readFileSync(join(target, 'etc/issue'), 'utf8')).toBe('v2');
    // The opaque marker hid the lower layer's files, not the ones its own layer wrote.
    expect(readdirSync(join(target, 'var/cache'))).toEqual(['new']);
    expect(readdirSync(target).sort()).toEqual(['etc', 'var']);
    expect(existsSync(scratch)).toBe(false);
  });

  it('refuses a layer whose content does not match its digest', async () => {
    const layout = ociLayout(
      join(dir, `bad${n}`),
      [{ entries: [{ name: 'a', content: 'x'.repeat(2000) }] }],
      {
        corrupt: true,
      },
    );
    await expect(unpack(file('image.tar', layout))).rejects.toThrow(
      /blob sha256:[0-9a-f]+ is corrupt/,
    );
  });

  describe('refuses archives that would write outside the root', () => {
    const outside = (): string => join(dir, `outside-${n}`);

    it('a ../ path', async () => {
      const archive = tarOf([
        { name: 'ok', content: '1' },
        { name: '../evil', content: 'x' },
      ]);
      await expect(unpack(file('evil.tar', archive))).rejects.toMatchObject({
        code: 'InvalidArgument',
        message: expect.stringContaining('archive entry "../evil" has a ".." component'),
      });
      expect(existsSync(join(dir, `t${n}`, 'evil'))).toBe(false);
    });

    it('an absolute path', async () => {
      const archive = tarOf([{ name: `${outside()}/abs`, content: 'x' }]);
      await expect(unpack(file('abs.tar', archive))).rejects.toThrow(
        `archive entry "${outside()}/abs" has an absolute path`,
      );
      expect(existsSync(outside())).toBe(false);
    });

    it('a file written through an absolute symlink', async () => {
      mkdirSync(outside());
      const archive = tarOf([
        { name: 'evil', type: 'symlink', linkname: outside() },
        { name: 'evil/pwned', content: 'x' },
      ]);
      await expect(unpack(file('link.tar', archive))).rejects.toMatchObject({
        code: 'InvalidArgument',
        message: expect.stringContaining(
          `archive entry "evil/pwned" would be written outside the image root: "evil" on its path is a symlink to "${outside()}"`,
        ),
      });
      expect(readdirSync(outside())).toEqual([]);
    });

    it('a relative symlink that climbs out', async () => {
      const archive = tarOf([{ name: 'etc/up', type: 'symlink', linkname: '../../../..' }]);
      await expect(unpack(file('up.tar', archive))).rejects.toThrow(
        'archive entry "etc/up" is a symlink to "../../../..", which climbs out of the image root',
      );
    });

    it('a hard link to a host file', async () => {
      for (const linkname of ['/etc/passwd', '../../etc/passwd']) {
        rmSync(scratch, { recursive: true, force: true }); // the caller's cleanup, between tries
        const archive = tarOf([{ name: 'hl', type: 'hardlink', linkname }]);
        await expect(unpack(file('hl.tar', archive))).rejects.toThrow(
          `archive entry "hl" is a hard link to "${linkname}", outside the image root`,
        );
      }
    });
  });

  describe('reports a broken archive clearly', () => {
    it('a truncated gzip', async () => {
      const gz = gzipSync(tarOf([{ name: 'big', content: Buffer.alloc(200_000, 3) }]));
      await expect(unpack(file('cut.tar.gz', gz.subarray(0, gz.length / 2)))).rejects.toMatchObject(
        {
          code: 'InvalidArgument',
          message: expect.stringMatching(/is (corrupt or truncated|truncated)/),
        },
      );
    });

    it('a truncated plain tar', async () => {
      const tar = tarOf([{ name: 'big', content: Buffer.alloc(20_000, 3) }]);
      await expect(unpack(file('cut.tar', tar.subarray(0, 10_000)))).rejects.toThrow(
        /is truncated: it ended inside the body of "big"/,
      );
    });

    it('a file that is no archive at all', async () => {
      await expect(unpack(file('junk', Buffer.alloc(4096, 0x41)))).rejects.toThrow(
        /is not a valid tar archive: not a tar archive/,
      );
    });

    it('a source that does not exist', async () => {
      await expect(unpack(join(dir, 'missing.tar'))).rejects.toThrow(
        /cannot read image source .*ENOENT/,
      );
    });
  });
});
