import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TruncatedInputError } from '../../src/archive/byte-reader.ts';
import { TarHeaderError } from '../../src/archive/tar-header.ts';
import { readTar, type TarEntry } from '../../src/archive/tar-reader.ts';
import { tarOf } from './tar-fixture.ts';

/** Feeds `bytes` in small uneven chunks, as a decompressor would. */
function chunked(bytes: Buffer, size = 333): AsyncIterable<Buffer> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

async function read(bytes: Buffer): Promise<(TarEntry & { text: string })[]> {
  const out: (TarEntry & { text: string })[] = [];
  for await (const { entry, body } of readTar(chunked(bytes))) {
    const parts: Buffer[] = [];
    for await (const chunk of body) parts.push(chunk);
    out.push({ ...entry, text: Buffer.concat(parts).toString() });
  }
  return out;
}

describe('tar reader', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'taskledger-tar-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads what GNU tar writes, long names and links included', async () => {
    const src = join(dir, 'src');
    const long = `${'d'.repeat(120)}/${'f'.repeat(140)}`;
    mkdirSync(join(src, 'd'.repeat(120)), { recursive: true });
    writeFileSync(join(src, long), 'long');
    writeFileSync(join(src, 'a.txt'), 'hello');
    linkSync(join(src, 'a.txt'), join(src, 'b.txt'));
    symlinkSync('/bin/busybox', join(src, 'sh'));
    for (const format of ['gnu', 'posix']) {
      const archive = join(dir, `${format}.tar`);
      await execa('tar', [`--format=${format}`, '-C', src, '-cf', archive, '.']);
      const entries = await read(readFileSync(archive));
      const byPath = new Map(entries.map((e) => [e.path.replace(/^\.\//, ''), e]));
      expect(byPath.get(long)).toMatchObject({ type: 'file', text: 'long' });
      expect(byPath.get('sh')).toMatchObject({ type: 'symlink', linkname: '/bin/busybox' });
      const links = ['a.txt', 'b.txt'].map((p) => byPath.get(p)!);
      expect(links.map((l) => l.type).sort()).toEqual(['file', 'hardlink']);
      expect(links.find((l) => l.type === 'file')!.text).toBe('hello');
    }
  });

  it('reads a PAX path record over the header name', async () => {
    const name = `x/${'p'.repeat(200)}`;
    const entries = await read(tarOf([{ name, content: 'pax', pax: true }]));
    expect(entries).toMatchObject([{ path: name, text: 'pax' }]);
  });

  it('skips a body the consumer did not read', async () => {
    const archive = tarOf([
      { name: 'big', content: Buffer.alloc(5000, 1) },
      { name: 'small', content: 'ok' },
    ]);
    const paths: string[] = [];
    for await (const { entry } of readTar(chunked(archive))) paths.push(entry.path);
    expect(paths).toEqual(['big', 'small']);
  });

  it('fails with TruncatedInputError when the archive stops inside a body', async () => {
    const archive = tarOf([{ name: 'f', content: Buffer.alloc(4000, 7) }]).subarray(0, 2000);
    await expect(read(archive)).rejects.toThrow(TruncatedInputError);
  });

  it('refuses bytes that are not a tar archive', async () => {
    await expect(read(Buffer.alloc(2048, 0x41))).rejects.toThrow(TarHeaderError);
    await expect(read(Buffer.alloc(0))).rejects.toThrow('the archive is empty');
  });

  it('refuses a corrupt header after the first', async () => {
    const archive = tarOf([
      { name: 'a', content: 'x' },
      { name: 'b', content: 'y' },
    ]);
    archive.writeUInt8(archive.readUInt8(1024 + 10) ^ 0xff, 1024 + 10);
    await expect(read(archive)).rejects.toThrow('checksum mismatch');
  });
});
