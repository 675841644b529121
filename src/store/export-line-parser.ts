import { invalidArgument } from '../domain/errors.ts';
import type { ProjectionSnapshot, LogSnapshot } from './log-snapshot.ts';
import type { EventRow } from './stored-event-row.ts';

/** One parsed line of an export (see `log-export.ts` for the format). */
export type ExportLine =
  | {
      readonly kind: 'snapshot';
      /** The snapshot the events continue from. */
      readonly snapshot: LogSnapshot;
      /** Last compacted version by stream id. */
      readonly compactedStreams: ReadonlyMap<string, number>;
    }
  | { readonly kind: 'event'; /** The event in its stored form. */ readonly row: EventRow }
  | {
      readonly kind: 'end';
      /** How many event lines the export says it has. */
      readonly events: number;
      /** The hash the export says the chain ends with. */
      readonly lastHash: string | undefined;
    };

const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
const hashPattern = /^[0-9a-f]{64}$/;

/** Parses and checks the shape of line number `lineNo`; InvalidArgument naming the line (and seq). */
export function parseExportLine(text: string, lineNo: number): ExportLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidArgument(`line ${lineNo} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw invalidArgument(`line ${lineNo} is not a JSON object`);
  if ('snapshot' in value) return parseSnapshot(value.snapshot, lineNo);
  if ('end' in value) {
    const end = value.end;
    const fields = new Fields(isObject(end) ? end : {}, `line ${lineNo} (end line)`);
    const lastHash =
      isObject(end) && end.last_hash !== undefined ? fields.hash('last_hash') : undefined;
    return { kind: 'end', events: fields.count('events', 0), lastHash };
  }
  const where = `line ${lineNo}${typeof value.seq === 'number' ? ` (seq ${value.seq})` : ''}`;
  const f = new Fields(value, where);
  let payload: string;
  if (typeof value.payload === 'string') {
    payload = value.payload;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      parsed = undefined;
    }
    if (!isObject(parsed))
      throw invalidArgument(`${where}: "payload" must be a JSON object's text`);
  } else if (isObject(value.event)) {
    payload = JSON.stringify(value.event);
  } else {
    throw invalidArgument(`${where}: needs an "event" object (or a "payload" string)`);
  }
  const timestamp = f.timestamp('timestamp');
  return {
    kind: 'event',
    row: {
      seq: f.count('seq', 1),
      stream_id: f.string('stream_id'),
      stream_version: f.count('stream_version', 1),
      namespace: f.string('namespace'),
      topic: f.string('topic'),
      payload,
      timestamp,
      correlation_id: f.string('correlation_id'),
      source: f.string('source'),
      hash: f.hash('hash'),
    },
  };
}

function parseSnapshot(value: unknown, lineNo: number): ExportLine {
  const where = `line ${lineNo} (snapshot)`;
  if (!isObject(value)) throw invalidArgument(`${where}: "snapshot" must be an object`);
  const f = new Fields(value, where);
  const projections = value.projections;
  if (!isObject(projections)) throw invalidArgument(`${where}: "projections" must be an object`);
  for (const [name, p] of Object.entries(projections)) {
    if (!isObject(p) || !Number.isSafeInteger(p.version) || !Array.isArray(p.rows)) {
      throw invalidArgument(`${where}: projection ${name} needs a "version" and "rows"`);
    }
    if (!p.rows.every(isObject)) throw invalidArgument(`${where}: rows of ${name} must be objects`);
  }
  const streams = value.compacted_streams;
  if (!isObject(streams)) throw invalidArgument(`${where}: "compacted_streams" must be an object`);
  const compactedStreams = new Map<string, number>();
  for (const [id, version] of Object.entries(streams)) {
    if (!Number.isSafeInteger(version) || (version as number) < 1) {
      throw invalidArgument(`${where}: compacted stream ${id} needs a positive version`);
    }
    compactedStreams.set(id, version as number);
  }
  return {
    kind: 'snapshot',
    snapshot: {
      seq: f.count('seq', 1),
      hash: f.hash('hash'),
      timestamp: f.timestamp('timestamp'),
      projections: projections as Record<string, ProjectionSnapshot>,
    },
    compactedStreams,
  };
}

/** Typed field access with errors that say where. */
class Fields {
  readonly #value: Record<string, unknown>;
  readonly #where: string;

  constructor(value: Record<string, unknown>, where: string) {
    this.#value = value;
    this.#where = where;
  }

  string(name: string): string {
    const v = this.#value[name];
    if (typeof v !== 'string') throw invalidArgument(`${this.#where}: "${name}" must be a string`);
    return v;
  }

  count(name: string, min: number): number {
    const v = this.#value[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw invalidArgument(`${this.#where}: "${name}" must be an integer >= ${min}`);
    }
    return v;
  }

  timestamp(name: string): string {
    const v = this.string(name);
    if (!timestampPattern.test(v)) {
      throw invalidArgument(
        `${this.#where}: "${name}" must be RFC 3339 UTC with 9 fraction digits`,
      );
    }
    return v;
  }

  hash(name: string): string {
    const v = this.string(name);
    if (!hashPattern.test(v))
      throw invalidArgument(`${this.#where}: "${name}" must be 64 hex digits`);
    return v;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
