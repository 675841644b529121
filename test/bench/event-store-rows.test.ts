import { describe, expect, it } from 'vitest';
import { parseEventRows, parseStartupRows } from '../../scripts/bench/event-store.ts';

describe('event store rows of the bench', () => {
  it('reads rates, targets and verdicts from the lines bench-events.ts prints', () => {
    const output = [
      'taskledger event benchmarks: Node v20.20.2, SQLite 3.50.4, WAL + synchronous=FULL, /tmp; median of 3 rounds',
      '',
      `${'append, 1 event per transaction (fsync each)'.padEnd(58)}${'3,456 ev/s'.padStart(20)}   (no target)`,
      `${'catch-up 200,000 events, bus.consume (API path)'.padEnd(58)}${'345,678 ev/s'.padStart(20)}   target >= 200,000 ev/s  met`,
      `${'live fan-out, commit to delivery, 1000 subscriber(s)'.padEnd(58)}${'p50 0.123 ms, p99 6.000 ms'.padStart(20)}   target p99 < 5 ms  MISSED`,
    ].join('\n');
    const rows = parseEventRows(output);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      name: 'append, 1 event per transaction (fsync each)',
      value: 3456,
    });
    expect(rows[0]!.target).toBeUndefined();
    expect(rows[1]).toMatchObject({ value: 345678, target: '>= 200,000 ev/s', verdict: 'met' });
    expect(rows[2]).toMatchObject({
      value: undefined,
      display: 'p50 0.123 ms, p99 6.000 ms',
      target: 'p99 < 5 ms',
      verdict: 'MISSED',
    });
  });

  it('reads the rebuild time and the start-up verdict from a bench-startup.ts size line', () => {
    const output = [
      'startup benchmark: 10000 containers, 3 runs per size, target 1000 ms',
      'events      db size    build log    daemon ready (median)    admin rebuild',
      '1000000     245 MB     12.3 s       1456 ms (TARGET MISSED)  8.0 s',
    ].join('\n');
    const [rebuild, startup] = parseStartupRows(output);
    expect(rebuild).toMatchObject({
      name: 'admin rebuild of 1,000,000 events (245 MB log)',
      value: 8,
    });
    expect(rebuild!.note).toBe('125,000 ev/s');
    expect(startup).toMatchObject({ value: 1456, unit: 'ms', verdict: 'MISSED' });
  });
});
