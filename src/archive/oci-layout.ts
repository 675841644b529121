import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { entryPathParts } from '../domain/archive-entry-path.ts';
import { invalidArgument } from '../domain/errors.ts';

/** One layer blob of an image, in the order layers are applied (bottom first). */
export interface LayoutLayer {
  /** Path of the blob on the host. */
  readonly path: string;
  /** Its content digest (`sha256:...`), checked before it is applied; empty when the format has none. */
  readonly digest: string;
  /** Its size in bytes. */
  readonly size: number;
}

/** What an unpacked image archive holds. */
export interface ImageLayout {
  /** `oci` (an OCI image layout: `oci-layout`, `index.json`, `blobs/`) or `docker` (`docker save`'s `manifest.json`). */
  readonly format: 'oci' | 'docker';
  /** Layers, bottom first. */
  readonly layers: readonly LayoutLayer[];
}

const indexTypes = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const digestPattern = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const goArch: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
};

interface Descriptor {
  readonly mediaType?: string;
  readonly digest?: unknown;
  readonly size?: unknown;
  readonly platform?: { readonly os?: string; readonly architecture?: string };
}

/**
 * Reads the image layout unpacked at `dir`; undefined when `dir` is a plain root filesystem. A
 * multi-platform index resolves to this machine's platform (or the only manifest there is).
 */
export async function readImageLayout(dir: string): Promise<ImageLayout | undefined> {
  if (existsSync(join(dir, 'oci-layout')) && existsSync(join(dir, 'index.json'))) {
    const manifest = await resolveManifest(
      dir,
      await readJson(dir, join(dir, 'index.json'), 'index.json'),
    );
    const layers = (manifest.layers ?? []) as Descriptor[];
    if (!Array.isArray(layers)) throw invalidArgument('the image manifest has no layers list');
    return { format: 'oci', layers: await Promise.all(layers.map((d) => blobOf(dir, d))) };
  }
  if (existsSync(join(dir, 'manifest.json'))) {
    const manifest = await readJson(dir, join(dir, 'manifest.json'), 'manifest.json');
    const first = Array.isArray(manifest)
      ? (manifest[0] as { Layers?: unknown } | undefined)
      : undefined;
    if (!first || !Array.isArray(first.Layers)) return undefined; // a rootfs that happens to hold one
    const layers = await Promise.all(
      first.Layers.map(async (layer: unknown) => {
        if (typeof layer !== 'string')
          throw invalidArgument('manifest.json lists a layer that is not a path');
        const path = await insideArchive(
          dir,
          join(dir, ...entryPathParts(layer)),
          `layer ${layer}`,
        );
        return { path, digest: '', size: (await stat(path)).size };
      }),
    );
    return { format: 'docker', layers };
  }
  return undefined;
}

/** Throws InvalidArgument unless the blob at `layer.path` has its declared size and digest. */
export async function verifyBlob(layer: LayoutLayer, signal?: AbortSignal): Promise<void> {
  if (layer.digest === '') return;
  const [algorithm, expected] = layer.digest.split(':') as [string, string];
  const hash = createHash(algorithm);
  let size = 0;
  for await (const chunk of createReadStream(layer.path, { signal }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  if (size !== layer.size || hash.digest('hex') !== expected) {
    throw invalidArgument(
      `blob ${layer.digest} is corrupt: its content does not match its digest (${size} bytes, ${layer.size} expected)`,
    );
  }
}

async function resolveManifest(dir: string, index: unknown): Promise<Record<string, unknown>> {
  for (let depth = 0; depth < 4; depth++) {
    const manifests = (index as { manifests?: unknown }).manifests;
    if (!Array.isArray(manifests) || manifests.length === 0) {
      throw invalidArgument('index.json lists no manifests');
    }
    const list = manifests as Descriptor[];
    const arch = goArch[process.arch] ?? process.arch;
    const chosen =
      list.find((d) => d.platform?.os === 'linux' && d.platform.architecture === arch) ??
      list.find((d) => !d.platform) ??
      (list.length === 1 ? list[0] : undefined);
    if (!chosen) throw invalidArgument(`the image has no manifest for linux/${arch}`);
    const blob = await blobOf(dir, chosen);
    await verifyBlob(blob);
    const document = await readJson(dir, blob.path, `manifest ${blob.digest}`);
    const mediaType = chosen.mediaType ?? (document as { mediaType?: string }).mediaType ?? '';
    if (!indexTypes.has(mediaType)) return document as Record<string, unknown>;
    index = document;
  }
  throw invalidArgument('image indexes nest too deeply');
}

async function blobOf(dir: string, descriptor: Descriptor): Promise<LayoutLayer> {
  const digest = descriptor.digest;
  // The digest becomes a path: only a well-formed one may.
  if (typeof digest !== 'string' || !digestPattern.test(digest)) {
    throw invalidArgument(`the image names a blob by a malformed digest ${JSON.stringify(digest)}`);
  }
  const [algorithm, hex] = digest.split(':') as [string, string];
  const path = await insideArchive(dir, join(dir, 'blobs', algorithm, hex), `blob ${digest}`);
  const size = typeof descriptor.size === 'number' ? descriptor.size : (await stat(path)).size;
  return { path, digest, size };
}

/**
 * The real path of `path`, which must exist inside `dir`: the archive was unpacked with its
 * symlinks, and one pointing at a host file must not be read as a blob.
 */
async function insideArchive(dir: string, path: string, what: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw invalidArgument(`the archive lacks ${what}`);
  }
  const root = await realpath(dir);
  if (!real.startsWith(`${root}/`))
    throw invalidArgument(`the archive's ${what} points outside the archive`);
  return real;
}

async function readJson(dir: string, path: string, what: string): Promise<unknown> {
  path = await insideArchive(dir, path, what);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    throw invalidArgument(
      `the archive's ${what} is missing or not JSON: ${(error as Error).message}`,
    );
  }
}
