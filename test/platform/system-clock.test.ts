import { describe, expect, it } from 'vitest';
import { parseTimestampNs } from '../../src/domain/timestamp.ts';
import { createSystemClock } from '../../src/platform/system-clock.ts';

describe('system clock', () => {
  it('never goes backwards and stays within a few milliseconds of the wall clock', () => {
    const clock = createSystemClock();
    let previous = 0n;
    for (let i = 0; i < 10_000; i++) {
      const now = parseTimestampNs(clock.now());
      expect(now > previous).toBe(true);
      previous = now;
    }
    const drift = Number(parseTimestampNs(clock.now()) / 1_000_000n) - Date.now();
    expect(Math.abs(drift)).toBeLessThanOrEqual(3);
  });

  it('prints RFC 3339 with exactly nine fraction digits', () => {
    expect(createSystemClock().now()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });
});
