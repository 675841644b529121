/** One record of a k8s-file log, as conmon writes it: `TIMESTAMP STREAM F|P TEXT\n`. */
export interface K8sLogRecord {
  /** Which stream of the process wrote it. */
  readonly stream: 'stdout' | 'stderr';
  /** The bytes the process wrote, with the newline restored for full (`F`) lines. */
  readonly bytes: Buffer;
}

/** Records parsed from a chunk, and the incomplete tail to prepend to the next chunk. */
export interface K8sLogChunk {
  /** Complete records, in order. */
  readonly records: K8sLogRecord[];
  /** Bytes after the last newline: a record conmon has not finished writing. */
  readonly rest: Buffer;
}

const newline = 0x0a;
const space = 0x20;

/**
 * Splits k8s-file log bytes into records. Works on bytes, not strings, so a multi-byte character
 * cut by a read boundary is never mangled. `P` (partial) records carry text that had no newline
 * yet; `F` records end a line, so their newline is put back. Malformed lines are skipped.
 */
export function parseK8sLog(bytes: Buffer): K8sLogChunk {
  const records: K8sLogRecord[] = [];
  let start = 0;
  for (let end = bytes.indexOf(newline, start); end !== -1; end = bytes.indexOf(newline, start)) {
    const record = parseLine(bytes.subarray(start, end));
    if (record) records.push(record);
    start = end + 1;
  }
  return { records, rest: bytes.subarray(start) };
}

function parseLine(line: Buffer): K8sLogRecord | undefined {
  const afterTime = line.indexOf(space);
  const afterStream = afterTime === -1 ? -1 : line.indexOf(space, afterTime + 1);
  if (afterStream === -1) return undefined;
  const stream = line.subarray(afterTime + 1, afterStream).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = line[afterStream + 1];
  const full = tag === 0x46; // 'F'
  if (!full && tag !== 0x50) return undefined; // 'P'
  // The text follows the tag and one space; an empty full line may lack that space.
  const text = line.subarray(Math.min(afterStream + 3, line.length));
  return { stream, bytes: full ? Buffer.concat([text, Buffer.from('\n')]) : Buffer.from(text) };
}
