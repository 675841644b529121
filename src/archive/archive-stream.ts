import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { invalidArgument } from '../domain/errors.ts';

/** How a file is compressed, from its first bytes. */
export type Compression = 'gzip' | 'zstd' | 'none';

/** Reads a file's magic number. */
export async function sniffCompression(path: string): Promise<Compression> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await handle.close();
  }
}

/**
 * The decompressed bytes of `path` (plain or gzip), in chunks. `onBytes` hears how many bytes of
 * the file itself were read, for progress. Ending the iteration early closes the file.
 */
export async function* decompressedChunks(
  path: string,
  options: { onBytes?: (n: number) => void; signal?: AbortSignal },
): AsyncGenerator<Buffer> {
  const compression = await sniffCompression(path);
  if (compression === 'zstd') {
    throw invalidArgument(
      `${path} is zstd-compressed, which this build cannot read (Node 20 has no zstd): recompress it with gzip`,
    );
  }
  const file = createReadStream(path, { signal: options.signal, highWaterMark: 256 * 1024 });
  const counted = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      options.onBytes?.(chunk.length);
      yield chunk;
    }
  };
  if (compression === 'none') {
    yield* counted(file);
    return;
  }
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  // The pipeline's own failure also destroys gunzip, which is where the reader below sees it.
  const done = pipeline(file, counted, gunzip).catch(() => undefined);
  try {
    yield* gunzip as AsyncIterable<Buffer>;
  } finally {
    gunzip.destroy();
    file.destroy();
    await done;
  }
}
