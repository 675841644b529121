import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One member of a crafted archive; names are written verbatim, `../evil` included. */
export interface FixtureEntry {
  readonly name: string;
  readonly type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo';
  readonly content?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Write the name as a PAX `path` record (for names over 100 bytes). */
  readonly pax?: boolean;
}

const typeflags = { file: '0', hardlink: '1', symlink: '2', dir: '5', fifo: '6' } as const;

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(name: string, typeflag: string, size: number, e: Partial<FixtureEntry>): Buffer {
  const block = Buffer.alloc(512);
  block.write(name.slice(0, 100), 0, 'utf8');
  block.write(octal(e.mode ?? (typeflag === '5' ? 0o755 : 0o644), 8), 100, 'latin1');
  block.write(octal(e.uid ?? 0, 8), 108, 'latin1');
  block.write(octal(e.gid ?? 0, 8), 116, 'latin1');
  block.write(octal(size, 12), 124, 'latin1');
  block.write(octal(1_700_000_000, 12), 136, 'latin1');
  block.write('        ', 148, 'latin1');
  block.write(typeflag, 156, 'latin1');
  block.write((e.linkname ?? '').slice(0, 100), 157, 'utf8');
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'latin1');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

const pad = (size: number): Buffer => Buffer.alloc((512 - (size % 512)) % 512);

/** A tar archive of `entries`, exactly as given (no name checks: tests need bad ones). */
export function tarOf(entries: readonly FixtureEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? (e.content !== undefined ? 'file' : 'dir');
    const body = type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    if (e.pax) {
      const record = (key: string, value: string): string => {
        const text = ` ${key}=${value}\n`;
        let length = text.length + 1;
        while (`${length}${text}`.length !== length) length++;
        return `${length}${text}`;
      };
      const paxBody = Buffer.from(record('path', e.name));
      parts.push(header('PaxHeader', 'x', paxBody.length, {}), paxBody, pad(paxBody.length));
    }
    parts.push(header(e.name, typeflags[type], body.length, e), body, pad(body.length));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A layer for {@link ociLayout}: entries, gzipped or not. */
export interface FixtureLayer {
  readonly entries: readonly FixtureEntry[];
  readonly gzip?: boolean;
}

/** sha256 digest of a blob, as OCI names it. */
export const digestOf = (blob: Buffer): string =>
  `sha256:${createHash('sha256').update(blob).digest('hex')}`;

/**
 * Writes an OCI image layout for `layers` into `dir` (oci-layout, index.json, blobs) and returns
 * it as one tar archive, as `skopeo copy ... oci-archive:` makes. `corrupt` flips a byte of the
 * first layer after its digest was taken.
 */
export function ociLayout(
  dir: string,
  layers: readonly FixtureLayer[],
  options: { corrupt?: boolean } = {},
): Buffer {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (blob: Buffer): { digest: string; size: number } => {
    const digest = digestOf(blob);
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), blob);
    return { digest, size: blob.length };
  };
  const layerDescriptors = layers.map((layer, i) => {
    const tar = tarOf(layer.entries);
    const blob = layer.gzip ? gzipSync(tar) : tar;
    const descriptor = put(blob);
    if (options.corrupt && i === 0) {
      const broken = Buffer.from(blob);
      const at = broken.length - 600;
      broken.writeUInt8(broken.readUInt8(at) ^ 0xff, at);
      writeFileSync(join(dir, 'blobs', 'sha256', descriptor.digest.slice(7)), broken);
    }
    return {
      mediaType: `application/vnd.oci.image.layer.v1.tar${layer.gzip ? '+gzip' : ''}`,
      ...descriptor,
    };
  });
  const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux' })));
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: layerDescriptors,
      }),
    ),
  );
  const index = {
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }],
  };
  const files: FixtureEntry[] = [
    { name: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', content: JSON.stringify(index) },
    { name: 'blobs/', type: 'dir' },
    { name: 'blobs/sha256/', type: 'dir' },
  ];
  for (const d of [...layerDescriptors, config, manifest]) {
    const path = join(dir, 'blobs', 'sha256', d.digest.slice(7));
    files.push({ name: `blobs/sha256/${d.digest.slice(7)}`, content: readFileSync(path) });
  }
  return tarOf(files);
}
