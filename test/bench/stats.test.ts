import { describe, expect, it } from 'vitest';
import {
  formatRatio,
  formatTable,
  formatValue,
  median,
  ratio,
  rotation,
  statusFieldMb,
  verdict,
  type Row,
} from '../../scripts/bench/stats.ts';

describe('bench statistics', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
  });

  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses the median of nothing', () => {
    expect(() => median([])).toThrow(RangeError);
  });

  it('divides by the baseline and gives no ratio without one', () => {
    expect(ratio(130, 100)).toBeCloseTo(1.3);
    expect(ratio(undefined, 100)).toBeUndefined();
    expect(ratio(5, 0)).toBeUndefined();
    expect(formatRatio(1.2345)).toBe('1.23x');
    expect(formatRatio(undefined)).toBe('-');
  });

  it('formats values in their units and marks missing ones', () => {
    expect(formatValue(3.14159, 'ms')).toBe('3.14 ms');
    expect(formatValue(123.45, 'ms')).toBe('123.5 ms');
    expect(formatValue(1234567.8, 'ev/s')).toBe('1,234,568 ev/s');
    expect(formatValue(2.345, 'MB')).toBe('2.35 MB');
    expect(formatValue(undefined, 'tasks/s')).toBe('n/a');
  });

  it('says MISSED plainly for a missed target and n/a for an unmeasured one', () => {
    expect(verdict(true)).toBe('met');
    expect(verdict(false)).toBe('MISSED');
    expect(verdict(undefined)).toBe('n/a');
  });

  it('rotates the peers so that each round starts with another one', () => {
    expect(rotation(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotation(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotation(['a', 'b', 'c'], 5)).toEqual(['c', 'a', 'b']);
  });

  it('reads a kB field of /proc/PID/status in MB', () => {
    const status = 'Name:\tconmon\nVmRSS:\t    2048 kB\nRssAnon:\t     300 kB\n';
    expect(statusFieldMb(status, 'VmRSS')).toBe(2);
    expect(statusFieldMb(status, 'VmSwap')).toBeUndefined();
  });
});

describe('bench table', () => {
  const rows: Row[] = [
    { section: 'latency', name: 'runc run', value: 40, unit: 'ms', ratio: 1 },
    {
      section: 'latency',
      name: 'taskledger API',
      value: 60,
      unit: 'ms',
      ratio: 1.5,
      target: '<= 1.30x runc run',
      verdict: 'MISSED',
    },
    { section: 'memory', name: 'conmon | podman', value: undefined, unit: 'MB', note: 'failed' },
  ];

  it('prints a heading per section and aligned columns with verdicts', () => {
    const lines = formatTable(rows).split('\n');
    expect(lines[0]).toMatch(/^measure\s+median\s+ratio\s+target\s+verdict\s+note$/);
    expect(lines).toContain('latency');
    expect(lines).toContain('memory');
    const api = lines.find((l) => l.includes('taskledger API'))!;
    expect(api).toMatch(/60\.0 ms\s+1\.50x\s+<= 1\.30x runc run\s+MISSED$/);
    // The value column is right-aligned: every value ends at the same column.
    const runc = lines.find((l) => l.includes('runc run') && !l.includes('API'))!;
    expect(runc.indexOf('40.0 ms') + 7).toBe(api.indexOf('60.0 ms') + 7);
    expect(lines.find((l) => l.includes('conmon'))).toMatch(/n\/a\s+failed$/);
  });

  it('renders a markdown table with bold section rows and escaped pipes', () => {
    const md = formatTable(rows, true).split('\n');
    expect(md[0]).toBe('| measure | median | ratio | target | verdict | note |');
    expect(md).toContain('| **latency** | | | | | |');
    expect(md).toContain('| conmon \\| podman | n/a |  |  |  | failed |');
  });
});
