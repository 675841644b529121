import { invalidArgument, isTaskledgerError } from '../domain/errors.ts';
import type { Projection } from '../domain/projection.ts';
import type { Timestamp } from '../domain/timestamp.ts';
import { parseExportLine, type ExportLine } from './export-line-parser.ts';
import { readLogPosition, snapshotStates, writeSnapshot } from './log-snapshot.ts';
import type { SqliteConnection } from './open-database.ts';
import { rowKey } from './projection-rebuild.ts';
import type { SqliteEventStore } from './sqlite-event-store.ts';
import type { EventRow } from './stored-event-row.ts';

/** What an import wrote. */
export interface ImportResult {
  /** Events imported. */
  readonly events: number;
  /** Seq of the last one (the snapshot's when there were none). */
  readonly lastSeq: number;
  /** The chain's hash there: equal to the exported log's. */
  readonly lastHash: string;
  /** Whether the export started from a compaction snapshot. */
  readonly fromSnapshot: boolean;
}

/** What {@link importLog} works on. */
export interface ImportTarget {
  /** The store of the (empty) target root. */
  readonly store: SqliteEventStore;
  /** The store's connection, for the outer transaction and the snapshot. */
  readonly sqlite: SqliteConnection;
  /** The projections the store keeps, to install a snapshot's rows into. */
  readonly projections: readonly Projection<unknown>[];
  /** Time recorded as the snapshot's compaction time. */
  readonly now: () => Timestamp;
  /** Events per {@link SqliteEventStore.appendStored} call. Default 1000. */
  readonly batchSize?: number;
}

/**
 * Imports an export (`log-export.ts`) into an empty store, all or nothing: every line is checked
 * (shape, contiguous seq, stream versions, the hash recomputed along the chain) and any failure
 * rolls everything back. The whole import is one transaction with each batch a savepoint inside
 * it; lines are read between batches, which is fine only because the root is locked offline.
 */
export async function importLog(
  target: ImportTarget,
  lines: AsyncIterable<string>,
): Promise<ImportResult> {
  const { store, sqlite } = target;
  if (store.lastSeq() !== 0 || store.compaction()) {
    throw invalidArgument(
      `the target root already holds a log (last seq ${store.lastSeq()}): import needs an empty root`,
    );
  }
  const batchSize = target.batchSize ?? 1000;
  sqlite.exec('begin immediate');
  try {
    let lineNo = 0;
    let batch: EventRow[] = [];
    let events = 0;
    let fromSnapshot = false;
    let end: Extract<ExportLine, { kind: 'end' }> | undefined;
    for await (const text of lines) {
      lineNo += 1;
      if (text.trim() === '') continue;
      if (end) throw invalidArgument(`line ${lineNo}: nothing may follow the end line`);
      const line = parseExportLine(text, lineNo);
      if (line.kind === 'end') {
        end = line;
      } else if (line.kind === 'snapshot') {
        if (events > 0 || fromSnapshot) {
          throw invalidArgument(`line ${lineNo}: a snapshot may only come first`);
        }
        installSnapshot(target, line);
        fromSnapshot = true;
      } else {
        if (events === 0 && !fromSnapshot && line.row.seq !== 1) {
          throw invalidArgument(
            `line ${lineNo}: the export starts at seq ${line.row.seq} with no snapshot before it: it is partial (made with --since); import a whole export`,
          );
        }
        batch.push(line.row);
        events += 1;
        if (batch.length >= batchSize) {
          store.appendStored(batch);
          batch = [];
        }
      }
    }
    store.appendStored(batch);
    if (!end) {
      throw invalidArgument(
        `the export ends after line ${lineNo} without its end line: it is truncated`,
      );
    }
    if (end.events !== events) {
      throw invalidArgument(`the end line counts ${end.events} events, the export has ${events}`);
    }
    const position = readLogPosition(sqlite);
    if (end.lastHash !== undefined && end.lastHash !== position.hash) {
      throw invalidArgument(`the end line's hash differs from the imported chain's last hash`);
    }
    sqlite.exec('commit');
    return { events, lastSeq: position.seq, lastHash: position.hash, fromSnapshot };
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('rollback');
    throw error;
  }
}

function installSnapshot(
  target: ImportTarget,
  line: Extract<ExportLine, { kind: 'snapshot' }>,
): void {
  const { store, sqlite, projections } = target;
  const { snapshot } = line;
  for (const projection of projections) {
    const table = store.table(projection);
    try {
      // Checks the version, and round-trips each row through the projection's own mapping.
      const states = snapshotStates(snapshot, projection, (row) => rowKey(projection, row));
      table.clear();
      for (const state of states.values()) table.put(projection.toRow(state));
    } catch (error) {
      if (isTaskledgerError(error)) throw error;
      throw invalidArgument(
        `the snapshot's ${projection.name} rows do not fit the table: ${(error as Error).message}`,
      );
    }
  }
  writeSnapshot(sqlite, snapshot, line.compactedStreams, target.now());
  sqlite.prepare('update projections set checkpoint = ?').run(snapshot.seq);
}
