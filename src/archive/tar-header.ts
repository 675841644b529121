/** Size of a tar block: headers are one block, bodies are padded to whole blocks. */
export const blockSize = 512;

/** Entry types taskledger unpacks (POSIX typeflags; `0`, NUL and `7` are regular files). */
export type TarEntryType =
  'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

/** One header block, decoded; extension records (PAX, GNU long names) are still separate. */
export interface TarHeader {
  /** Path in the archive (ustar prefix joined). */
  readonly name: string;
  /** Permission bits, including setuid, setgid and sticky. */
  readonly mode: number;
  /** Owner uid. */
  readonly uid: number;
  /** Owner gid. */
  readonly gid: number;
  /** Body size in bytes. */
  readonly size: number;
  /** Modification time, seconds since the epoch. */
  readonly mtime: number;
  /** The raw typeflag character. */
  readonly typeflag: string;
  /** Target of a hard or symbolic link. */
  readonly linkname: string;
  /** Device numbers of a character or block device. */
  readonly devmajor: number;
  /** Minor device number. */
  readonly devminor: number;
}

/** Why a header block is unusable. */
export class TarHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarHeaderError';
  }
}

/** True for the all-zero block that ends an archive. */
export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** Decodes one 512-byte header block, checking its checksum. */
export function parseTarHeader(block: Buffer): TarHeader {
  const expected = numeric(block, 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < blockSize; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (expected !== unsigned && expected !== signed) {
    throw new TarHeaderError('header checksum mismatch (not a tar archive, or a corrupt one)');
  }
  const magic = block.toString('latin1', 257, 263);
  // POSIX ustar splits long paths into prefix + name; old GNU headers use that area otherwise.
  const prefix = magic === 'ustar\0' ? text(block, 345, 155) : '';
  const name = text(block, 0, 100);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    mode: numeric(block, 100, 8, 'mode') & 0o7777,
    uid: numeric(block, 108, 8, 'uid'),
    gid: numeric(block, 116, 8, 'gid'),
    size: numeric(block, 124, 12, 'size'),
    mtime: numeric(block, 136, 12, 'mtime'),
    typeflag: String.fromCharCode(block[156]!),
    linkname: text(block, 157, 100),
    devmajor: numeric(block, 329, 8, 'devmajor'),
    devminor: numeric(block, 337, 8, 'devminor'),
  };
}

/** Maps a typeflag to what it makes; undefined for extension records and unsupported kinds. */
export function entryTypeOf(typeflag: string): TarEntryType | undefined {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
      return 'directory';
    case '6':
      return 'fifo';
    default:
      return undefined;
  }
}

/** Parses PAX extended header records (`LEN key=value\n`...) into a map. */
export function parsePaxRecords(body: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < body.length) {
    if (body[at] === 0) break; // padding some writers leave
    const space = body.indexOf(0x20, at);
    const length = space < 0 ? NaN : Number(body.toString('latin1', at, space));
    if (!Number.isInteger(length) || length <= space - at || at + length > body.length) {
      throw new TarHeaderError('malformed PAX extended header');
    }
    const record = body.toString('utf8', space + 1, at + length - 1); // drop the newline
    const eq = record.indexOf('=');
    if (eq <= 0) throw new TarHeaderError('malformed PAX extended header record');
    records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

function text(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end < 0 ? length : end);
}

/** An octal field, or GNU's base-256 form (high bit set) for values too large for octal. */
function numeric(block: Buffer, offset: number, length: number, what: string): number {
  const field = block.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw new TarHeaderError(`header ${what} is too large`);
    return value;
  }
  const digits = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^[\0 ]+/, '');
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new TarHeaderError(`header ${what} field is not octal`);
  return parseInt(digits, 8);
}
