import type { SqliteConnection } from './open-database.ts';
import { readCompactedStreams, readSnapshot, type ProjectionSnapshot } from './log-snapshot.ts';
import type { EventRow } from './stored-event-row.ts';

/**
 * First line of an export that starts at a compaction point: the snapshot the events continue
 * from, so that an import reproduces the projections and the chain.
 */
export interface SnapshotLine {
  readonly snapshot: {
    /** Seq of the last compacted event. */
    readonly seq: number;
    /** Its hash: the first exported event chains from it. */
    readonly hash: string;
    /** Its timestamp. */
    readonly timestamp: string;
    /** Projection rows at that point, by projection name. */
    readonly projections: Readonly<Record<string, ProjectionSnapshot>>;
    /** Last compacted version of each compacted stream. */
    readonly compacted_streams: Readonly<Record<string, number>>;
  };
}

/**
 * An event line: the API's event shape (`GET /v1/events`). When the stored payload text is not
 * exactly what `JSON.stringify(event)` gives back (so its hash could not be recomputed from
 * `event`), the line carries the text as `payload` instead.
 */
export interface EventLine {
  /** Position in the log. */
  readonly seq: number;
  /** When it was appended. */
  readonly timestamp: string;
  /** containerd namespace. */
  readonly namespace: string;
  /** Topic. */
  readonly topic: string;
  /** The payload, parsed. */
  readonly event?: Record<string, unknown>;
  /** The payload's stored text, byte for byte, when it does not round-trip through `event`. */
  readonly payload?: string;
  /** Its stream. */
  readonly stream_id: string;
  /** Position in the stream. */
  readonly stream_version: number;
  /** Request that caused it. */
  readonly correlation_id: string;
  /** Who caused it. */
  readonly source: string;
  /** Chained hash. */
  readonly hash: string;
}

/** Last line: lets an import tell a complete export from a truncated one. */
export interface EndLine {
  readonly end: {
    /** Event lines in the export. */
    readonly events: number;
    /** Seq of the last exported event (absent when none). */
    readonly last_seq?: number;
    /** The chain's hash at that event: what the imported log ends with. */
    readonly last_hash?: string;
  };
}

/** Which part of the log to export. */
export interface ExportRange {
  /** Export events after this seq; at the compaction point, the snapshot line comes first. */
  readonly afterSeq: number;
  /** Export up to this seq (default: the end). */
  readonly untilSeq?: number | undefined;
}

const pageSize = 1000;

/**
 * The export's lines (JSON text, without newline): the snapshot when the range starts at the
 * compaction point, every event in seq order, then the end line. Reads in pages.
 */
export function* exportLines(sqlite: SqliteConnection, range: ExportRange): Generator<string> {
  const snapshot = readSnapshot(sqlite);
  if (snapshot && range.afterSeq === snapshot.seq) {
    const line: SnapshotLine = {
      snapshot: {
        seq: snapshot.seq,
        hash: snapshot.hash,
        timestamp: snapshot.timestamp,
        projections: snapshot.projections,
        compacted_streams: Object.fromEntries(readCompactedStreams(sqlite)),
      },
    };
    yield JSON.stringify(line);
  }
  const page = sqlite.prepare(
    'select * from events where seq > ? and seq <= ? order by seq limit ?',
  );
  const untilSeq = range.untilSeq ?? Number.MAX_SAFE_INTEGER;
  let after = range.afterSeq;
  let count = 0;
  let last: EventRow | undefined;
  for (;;) {
    const rows = page.all(after, untilSeq, pageSize) as EventRow[];
    for (const row of rows) yield JSON.stringify(eventLine(row));
    count += rows.length;
    last = rows.at(-1) ?? last;
    if (rows.length < pageSize) break;
    after = last!.seq;
  }
  const end: EndLine = {
    end: { events: count, ...(last ? { last_seq: last.seq, last_hash: last.hash } : {}) },
  };
  yield JSON.stringify(end);
}

function eventLine(row: EventRow): EventLine {
  const event = JSON.parse(row.payload) as Record<string, unknown>;
  const exact = JSON.stringify(event) === row.payload;
  return {
    seq: row.seq,
    timestamp: row.timestamp,
    namespace: row.namespace,
    topic: row.topic,
    ...(exact ? { event } : { payload: row.payload }),
    stream_id: row.stream_id,
    stream_version: row.stream_version,
    correlation_id: row.correlation_id,
    source: row.source,
    hash: row.hash,
  };
}
