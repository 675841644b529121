import { failedPrecondition, invalidArgument } from '../domain/errors.ts';
import type { Projection } from '../domain/projection.ts';
import type { Timestamp } from '../domain/timestamp.ts';
import {
  readCompactionMark,
  readLogPosition,
  writeSnapshot,
  type LogSnapshot,
} from './log-snapshot.ts';
import type { SqliteConnection } from './open-database.ts';
import { foldAllFromSnapshot } from './projection-rebuild.ts';
import type { EventRow } from './stored-event-row.ts';
import { verifyChain } from './verify-chain.ts';

/** What a compaction did. */
export interface CompactionResult {
  /** Seq of the last deleted event: the snapshot's position. */
  readonly throughSeq: number;
  /** Hash of that event, kept in the snapshot for the chain to continue from. */
  readonly hash: string;
  /** Events deleted by this compaction. */
  readonly deleted: number;
  /** Events left in the log. */
  readonly kept: number;
}

/**
 * Deletes the events before `beforeSeq`, in one transaction with the snapshot that replaces them:
 * the seq, hash and time of the last deleted event, every projection's state right after it, and
 * the last version of each stream it touched. Keeps at least the last event. Refuses a log whose
 * hash chain is broken, so that compaction never launders an edit.
 */
export function compactLog(
  sqlite: SqliteConnection,
  projections: readonly Projection<unknown>[],
  beforeSeq: number,
  compactedAt: Timestamp,
): CompactionResult {
  if (!Number.isSafeInteger(beforeSeq) || beforeSeq < 1) {
    throw invalidArgument(`--before must be a sequence number, got ${beforeSeq}`);
  }
  return sqlite
    .transaction((): CompactionResult => {
      const mark = readCompactionMark(sqlite);
      const first = (mark?.seq ?? 0) + 1;
      const last = readLogPosition(sqlite).seq;
      if (beforeSeq <= first) {
        throw invalidArgument(
          `nothing to compact before seq ${beforeSeq}: the log already starts at seq ${first}`,
        );
      }
      if (beforeSeq > last) {
        throw invalidArgument(
          `cannot compact before seq ${beforeSeq}: the last event is seq ${last}, and compaction keeps at least the last event`,
        );
      }
      const broken = verifyChain(sqlite, { afterSeq: mark?.seq, startHash: mark?.hash });
      if (broken) {
        throw failedPrecondition(
          `refusing to compact: the hash chain breaks at seq ${broken.seq} (${broken.reason}); run admin verify`,
        );
      }
      const through = beforeSeq - 1;
      const cut = sqlite.prepare('select * from events where seq = ?').get(through) as EventRow;
      const states = foldAllFromSnapshot(sqlite, projections, through);
      const snapshot: LogSnapshot = {
        seq: through,
        hash: cut.hash,
        timestamp: cut.timestamp,
        projections: Object.fromEntries(
          projections.map((p, i) => [
            p.name,
            { version: p.version, rows: [...states[i]!.values()].map((s) => p.toRow(s)) },
          ]),
        ),
      };
      const streams = sqlite
        .prepare(
          'select stream_id, max(stream_version) as version from events where seq <= ? group by stream_id',
        )
        .all(through) as { stream_id: string; version: number }[];
      writeSnapshot(
        sqlite,
        snapshot,
        streams.map((s) => [s.stream_id, s.version] as const),
        compactedAt,
      );
      const { changes } = sqlite.prepare('delete from events where seq <= ?').run(through);
      return { throughSeq: through, hash: cut.hash, deleted: changes, kept: last - through };
    })
    .immediate();
}
