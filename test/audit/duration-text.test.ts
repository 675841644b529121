import { describe, expect, it } from 'vitest';
import { durationText, timeText } from '../../src/cli/duration-text.ts';

describe('durationText', () => {
  it('picks the unit a person reads best', () => {
    expect([0, 0.25, 12.4, 4200, 185_000, 7_380_000, 273_600_000].map(durationText)).toEqual([
      '0s',
      '250µs',
      '12ms',
      '4.2s',
      '3m05s',
      '2h03m',
      '3d04h',
    ]);
  });

  it('shows a log timestamp to the millisecond', () => {
    expect(timeText('2026-11-29T04:31:45.123456789Z')).toBe('2026-11-29 04:31:45.123');
  });
});
