import { chainHash, genesisHash } from './event-hash.ts';
import type { SqliteConnection } from './open-database.ts';
import { hashedFields, type EventRow } from './stored-event-row.ts';

/** The first place where the log is not what was appended. */
export interface ChainBreak {
  /** Sequence number of the first event that fails the check. */
  readonly seq: number;
  /** What is wrong there. */
  readonly reason: string;
}

/**
 * Walks the log from `afterSeq` (whose hash is `startHash`), recomputing each hash: an edited,
 * deleted or reordered row breaks the chain at its seq. Returns undefined when it holds.
 */
export function verifyChain(
  sqlite: SqliteConnection,
  options: { afterSeq?: number; startHash?: string } = {},
): ChainBreak | undefined {
  let expectedSeq = (options.afterSeq ?? 0) + 1;
  let previous = options.startHash ?? genesisHash;
  const rows = sqlite
    .prepare('select * from events where seq > ? order by seq')
    .iterate(options.afterSeq ?? 0) as IterableIterator<EventRow>;
  for (const row of rows) {
    if (row.seq !== expectedSeq) {
      return {
        seq: expectedSeq,
        reason: `event ${expectedSeq} is missing (next stored is ${row.seq})`,
      };
    }
    const hash = chainHash(previous, hashedFields(row));
    if (hash !== row.hash) {
      return { seq: row.seq, reason: `hash mismatch: the event was edited or reordered` };
    }
    previous = hash;
    expectedSeq += 1;
  }
  return undefined;
}
