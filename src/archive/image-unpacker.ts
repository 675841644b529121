import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { invalidArgument, isTaskledgerError } from '../domain/errors.ts';
import type { ImageUnpacker, UnpackProgress, UnpackResult } from '../ports/image-unpacker.ts';
import { decompressedChunks } from './archive-stream.ts';
import { TruncatedInputError } from './byte-reader.ts';
import { membersOf, scanDirectory } from './directory-entries.ts';
import { readImageLayout, verifyBlob } from './oci-layout.ts';
import { createRootfsWriter, type RootfsWriter } from './rootfs-writer.ts';
import { TarHeaderError } from './tar-header.ts';
import { readTar } from './tar-reader.ts';

type Progress = ((progress: UnpackProgress) => void) | undefined;

/** The unpacker: a small tar reader and a writer that checks every entry; no external tar. */
export function createImageUnpacker(): ImageUnpacker {
  return {
    async unpack(source, target, { scratch, signal, onProgress }) {
      const st = await stat(source).catch((error: NodeJS.ErrnoException) => {
        throw invalidArgument(`cannot read image source ${source}: ${error.code ?? error.message}`);
      });
      if (st.isDirectory()) return unpackDirectory(source, target, signal, onProgress);
      if (!st.isFile())
        throw invalidArgument(`image source ${source} is neither a directory nor a file`);
      // The archive goes to scratch first: it is either the root filesystem itself or, for an
      // image layout, the blobs whose layers are then applied in order.
      await mkdir(scratch, { mode: 0o700 });
      const outer = createRootfsWriter(scratch, { whiteouts: false });
      await applyArchive(
        source,
        outer,
        `archive ${source}`,
        st.size,
        'reading archive',
        signal,
        onProgress,
      );
      const layout = await readImageLayout(scratch);
      if (!layout) {
        await rm(target, { recursive: true, force: true });
        await rename(scratch, target);
        return { format: 'tar', bytes: outer.bytesWritten, layers: 1 };
      }
      let bytes = 0;
      for (const [i, layer] of layout.layers.entries()) {
        signal?.throwIfAborted();
        const phase = `applying layer ${i + 1}/${layout.layers.length}`;
        await verifyBlob(layer, signal);
        const writer = createRootfsWriter(target, { whiteouts: true });
        const what = `layer ${i + 1}${layer.digest ? ` (${layer.digest})` : ''}`;
        await applyArchive(layer.path, writer, what, layer.size, phase, signal, onProgress);
        bytes += writer.bytesWritten;
      }
      await rm(scratch, { recursive: true, force: true });
      return { format: layout.format, bytes, layers: layout.layers.length };
    },
  };
}

async function unpackDirectory(
  source: string,
  target: string,
  signal: AbortSignal | undefined,
  onProgress: Progress,
): Promise<UnpackResult> {
  const tree = await scanDirectory(source, signal);
  const writer = createRootfsWriter(target, { whiteouts: false });
  const phase = 'copying directory';
  for (const member of membersOf(tree, signal)) {
    signal?.throwIfAborted();
    await writer.write(member);
    onProgress?.({ phase, done: writer.bytesWritten, total: tree.totalBytes });
  }
  await writer.finish();
  return { format: 'directory', bytes: writer.bytesWritten, layers: 1 };
}

/** Streams one (possibly gzipped) tar file through `writer`, reporting bytes of the file read. */
async function applyArchive(
  path: string,
  writer: RootfsWriter,
  what: string,
  total: number,
  phase: string,
  signal: AbortSignal | undefined,
  onProgress: Progress,
): Promise<void> {
  let done = 0;
  const chunks = decompressedChunks(path, {
    signal,
    onBytes: (n) => {
      done += n;
      onProgress?.({ phase, done, total });
    },
  });
  try {
    for await (const member of readTar(chunks)) {
      signal?.throwIfAborted();
      await writer.write(member);
    }
    await writer.finish();
  } catch (error) {
    throw describeArchiveError(error, what, signal);
  }
}

/** Names what went wrong with an archive in words a user can act on; other errors pass. */
function describeArchiveError(
  error: unknown,
  what: string,
  signal: AbortSignal | undefined,
): unknown {
  if (signal?.aborted || isTaskledgerError(error)) return error;
  const e = error as NodeJS.ErrnoException;
  if (error instanceof TruncatedInputError) {
    return invalidArgument(`${what} is truncated: it ${e.message}`);
  }
  if (error instanceof TarHeaderError)
    return invalidArgument(`${what} is not a valid tar archive: ${e.message}`);
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) {
    return invalidArgument(`${what} is corrupt or truncated (gzip: ${e.message})`);
  }
  return error;
}
