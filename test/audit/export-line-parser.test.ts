import { describe, expect, it } from 'vitest';
import { parseExportLine } from '../../src/store/export-line-parser.ts';

const hash = 'a'.repeat(64);
const event = {
  seq: 3,
  timestamp: '2026-11-29T00:00:00.000000001Z',
  namespace: 'default',
  topic: '/containers/delete',
  event: { id: 'web' },
  stream_id: 'container/default/web',
  stream_version: 2,
  correlation_id: 'req',
  source: 'cli containers rm',
  hash,
};
const line = (value: unknown) => JSON.stringify(value);
const error = (text: string) => {
  try {
    parseExportLine(text, 7);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
};

describe('parseExportLine', () => {
  it('turns an event line into its stored row, payload as JSON.stringify writes it', () => {
    expect(parseExportLine(line(event), 1)).toEqual({
      kind: 'event',
      row: {
        seq: 3,
        stream_id: 'container/default/web',
        stream_version: 2,
        namespace: 'default',
        topic: '/containers/delete',
        payload: '{"id":"web"}',
        timestamp: '2026-11-29T00:00:00.000000001Z',
        correlation_id: 'req',
        source: 'cli containers rm',
        hash,
      },
    });
  });

  it('takes a stored payload text as it is', () => {
    const parsed = parseExportLine(
      line({ ...event, event: undefined, payload: '{ "id" : "web" }' }),
      1,
    );
    expect(parsed.kind === 'event' && parsed.row.payload).toBe('{ "id" : "web" }');
  });

  it('reads the end line and the snapshot line', () => {
    expect(parseExportLine(line({ end: { events: 2, last_seq: 2, last_hash: hash } }), 9)).toEqual({
      kind: 'end',
      events: 2,
      lastHash: hash,
    });
    const snapshot = parseExportLine(
      line({
        snapshot: {
          seq: 10,
          hash,
          timestamp: event.timestamp,
          projections: { containers: { version: 1, rows: [] } },
          compacted_streams: { 'container/default/web': 4 },
        },
      }),
      1,
    );
    expect(snapshot).toMatchObject({ kind: 'snapshot', snapshot: { seq: 10, hash } });
    expect(snapshot.kind === 'snapshot' && [...snapshot.compactedStreams]).toEqual([
      ['container/default/web', 4],
    ]);
  });

  it('names the line and the seq of what is wrong', () => {
    expect(error('[1]')).toBe('line 7 is not a JSON object');
    expect(error('{"seq":')).toMatch(/^line 7 is not valid JSON: /);
    expect(error(line({ ...event, stream_version: 0 }))).toBe(
      'line 7 (seq 3): "stream_version" must be an integer >= 1',
    );
    expect(error(line({ ...event, timestamp: '2026-11-29T00:00:00Z' }))).toBe(
      'line 7 (seq 3): "timestamp" must be RFC 3339 UTC with 9 fraction digits',
    );
    expect(error(line({ ...event, hash: 'xyz' }))).toBe(
      'line 7 (seq 3): "hash" must be 64 hex digits',
    );
    expect(error(line({ ...event, event: 'text' }))).toBe(
      'line 7 (seq 3): needs an "event" object (or a "payload" string)',
    );
    expect(error(line({ ...event, event: undefined, payload: 'nope' }))).toBe(
      'line 7 (seq 3): "payload" must be a JSON object\'s text',
    );
    expect(error(line({ snapshot: { seq: 1, hash, timestamp: event.timestamp } }))).toBe(
      'line 7 (snapshot): "projections" must be an object',
    );
    expect(error(line({ end: { events: -1 } }))).toBe(
      'line 7 (end line): "events" must be an integer >= 0',
    );
  });
});
