import { ByteReader } from './byte-reader.ts';
import {
  blockSize,
  entryTypeOf,
  isZeroBlock,
  parsePaxRecords,
  parseTarHeader,
  TarHeaderError,
  type TarEntryType,
} from './tar-header.ts';

/** One archive member, with PAX and GNU long-name extensions applied. */
export interface TarEntry {
  /** Path in the archive, as written (not yet checked). */
  readonly path: string;
  /** What the entry makes. */
  readonly type: TarEntryType;
  /** Permission bits. */
  readonly mode: number;
  /** Owner uid. */
  readonly uid: number;
  /** Owner gid. */
  readonly gid: number;
  /** Body size in bytes (regular files only carry one). */
  readonly size: number;
  /** Modification time, seconds since the epoch (PAX may give fractions). */
  readonly mtime: number;
  /** Link target (hard links: an archive path; symlinks: any text). */
  readonly linkname: string;
  /** Major device number. */
  readonly devmajor: number;
  /** Minor device number. */
  readonly devminor: number;
}

/** An entry and its body; a body left unread is skipped when the next entry is asked for. */
export interface TarMember {
  /** The entry's metadata. */
  readonly entry: TarEntry;
  /** The body's bytes, in chunks. */
  readonly body: AsyncIterable<Buffer>;
}

/** Extension records (PAX headers, GNU long names) larger than this are refused. */
const maxExtensionBytes = 1024 * 1024;

const padding = (size: number): number => (blockSize - (size % blockSize)) % blockSize;

/**
 * Reads a tar stream (ustar, PAX, GNU long names) entry by entry, in one pass and bounded memory.
 * Throws TarHeaderError for a malformed archive and TruncatedInputError when it stops midway.
 */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarMember> {
  const reader = new ByteReader(source);
  const globals = new Map<string, string>();
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let longLink: string | undefined;
  try {
    for (let index = 0; ; index++) {
      const block = await reader.read(blockSize, 'a tar header');
      if (!block || isZeroBlock(block)) {
        if (index === 0) throw new TarHeaderError('the archive is empty');
        return;
      }
      let header;
      try {
        header = parseTarHeader(block);
      } catch (error) {
        throw index === 0
          ? new TarHeaderError(`not a tar archive (${(error as Error).message})`)
          : error;
      }
      const where = `the body of "${header.name}"`;
      const readExtension = async (): Promise<Buffer> => {
        if (header.size > maxExtensionBytes) {
          throw new TarHeaderError(`extension record of ${header.size} bytes is too large`);
        }
        const body = (await reader.read(header.size, where)) ?? Buffer.alloc(0);
        await reader.skip(padding(header.size), where);
        return body;
      };
      switch (header.typeflag) {
        case 'x':
          pax = parsePaxRecords(await readExtension());
          continue;
        case 'g':
          for (const [k, v] of parsePaxRecords(await readExtension())) globals.set(k, v);
          continue;
        case 'L':
          longName = cString(await readExtension());
          continue;
        case 'K':
          longLink = cString(await readExtension());
          continue;
        case 'V': // a volume label names the archive, not a file
          await reader.skip(header.size + padding(header.size), where);
          continue;
      }
      const type = entryTypeOf(header.typeflag);
      if (!type) {
        throw new TarHeaderError(
          `entry "${header.name}" has type ${JSON.stringify(header.typeflag)}, which taskledger cannot unpack (sparse or multi-volume archives are not supported)`,
        );
      }
      const ext = new Map([...globals, ...pax]);
      const size = ext.has('size') ? Number(ext.get('size')) : header.size;
      if (!Number.isSafeInteger(size) || size < 0)
        throw new TarHeaderError(`entry "${header.name}" has a bad size`);
      const entry: TarEntry = {
        path: ext.get('path') ?? longName ?? header.name,
        type,
        mode: header.mode,
        uid: ext.has('uid') ? Number(ext.get('uid')) : header.uid,
        gid: ext.has('gid') ? Number(ext.get('gid')) : header.gid,
        size,
        mtime: ext.has('mtime') ? Number(ext.get('mtime')) : header.mtime,
        linkname: ext.get('linkpath') ?? longLink ?? header.linkname,
        devmajor: header.devmajor,
        devminor: header.devminor,
      };
      pax = new Map();
      longName = undefined;
      longLink = undefined;
      // Only regular files carry data; a size on a link or directory is a hint, not data.
      const dataSize = type === 'file' ? size : 0;
      let left = dataSize;
      const body = async function* (): AsyncGenerator<Buffer> {
        while (left > 0) {
          const chunk = await reader.readSome(
            Math.min(left, 1024 * 1024),
            `the body of "${entry.path}"`,
          );
          left -= chunk.length;
          yield chunk;
        }
      };
      yield { entry, body: body() };
      await reader.skip(left + padding(dataSize), `the body of "${entry.path}"`);
    }
  } finally {
    await reader.close();
  }
}

function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.toString('utf8', 0, end < 0 ? buffer.length : end);
}
