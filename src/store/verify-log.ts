import { readCompactionMark } from './log-snapshot.ts';
import type { SqliteConnection } from './open-database.ts';
import { verifyChain, type ChainBreak } from './verify-chain.ts';

/**
 * Checks the whole kept log: the hash chain from the compaction snapshot's hash (or genesis), no
 * event left at or before the compaction point, and no tail cut off behind the projections'
 * checkpoints (a cut tail leaves a valid chain, but the projections remember how far it went).
 */
export function verifyLog(sqlite: SqliteConnection): ChainBreak | undefined {
  const mark = readCompactionMark(sqlite);
  if (mark) {
    const stale = sqlite
      .prepare('select min(seq) from events where seq <= ?')
      .pluck()
      .get(mark.seq) as number | null;
    if (stale !== null) {
      return {
        seq: stale,
        reason: `event ${stale} is at or before the compaction point (seq ${mark.seq}): it was put back after compaction`,
      };
    }
  }
  const broken = verifyChain(sqlite, { afterSeq: mark?.seq, startHash: mark?.hash });
  if (broken) return broken;
  const last =
    (sqlite.prepare('select max(seq) from events').pluck().get() as number | null) ??
    mark?.seq ??
    0;
  const checkpoint = sqlite.prepare('select max(checkpoint) from projections').pluck().get() as
    number | null;
  if (checkpoint !== null && checkpoint > last) {
    return {
      seq: last + 1,
      reason: `events ${last + 1} to ${checkpoint} are missing: the log ends at seq ${last} but the projections were checkpointed at seq ${checkpoint} (its tail was cut off)`,
    };
  }
  return undefined;
}
