import { describe, expect, it } from 'vitest';
import { parseTimestampNs } from '../../src/domain/timestamp.ts';
import { createSystemClock, type TimeSources } from '../../src/platform/system-clock.ts';

/** Time sources the test moves by hand: wall clock in ms, monotonic counter in ns. */
function manualSources(wallMs: number): TimeSources & { wall: number; monotonic: bigint } {
  const sources = {
    wall: wallMs,
    monotonic: 5_000_000_000n,
    wallMs: () => sources.wall,
    monotonicNs: () => sources.monotonic,
  };
  return sources;
}

const ns = (clock: { now(): string }): bigint => parseTimestampNs(clock.now());
const start = 1_700_000_000_000; // ms since the epoch

describe('system clock', () => {
  it('takes the digits below the millisecond from the monotonic counter', () => {
    const sources = manualSources(start);
    const clock = createSystemClock(sources);
    sources.monotonic += 300_123n;
    expect(ns(clock)).toBe(BigInt(start) * 1_000_000n + 300_123n);
  });

  it('moves its anchor when the wall clock jumps ahead by more than 2 ms', () => {
    const sources = manualSources(start);
    const clock = createSystemClock(sources);
    sources.wall += 50;
    sources.monotonic += 1_000_000n;
    expect(ns(clock)).toBe(BigInt(start + 50) * 1_000_000n);
    sources.monotonic += 700n; // and counts on from the new anchor
    expect(ns(clock)).toBe(BigInt(start + 50) * 1_000_000n + 700n);
  });

  it('never goes backwards when the wall clock steps back, and rejoins it later', () => {
    const sources = manualSources(start);
    const clock = createSystemClock(sources);
    sources.monotonic += 1_000_000n;
    const before = ns(clock);
    sources.wall -= 21; // a VM clock correction
    sources.monotonic += 1_000n;
    const after = ns(clock);
    expect(after).toBe(before + 1n);
    sources.wall += 30; // the wall clock is ahead of `after` again
    sources.monotonic += 1_000n;
    expect(ns(clock)).toBe(BigInt(start + 9) * 1_000_000n);
  });

  it('on the process clocks, strictly increases and is never behind the wall clock', () => {
    const clock = createSystemClock();
    let previous = 0n;
    for (let i = 0; i < 10_000; i++) {
      const now = ns(clock);
      expect(now > previous).toBe(true);
      previous = now;
    }
    // Ahead is allowed (after the wall clock steps back); behind by more than the 2 ms re-anchor
    // threshold and a tick is not.
    const behind = Date.now() - Number(ns(clock) / 1_000_000n);
    expect(behind).toBeLessThanOrEqual(3);
  });

  it('prints RFC 3339 with exactly nine fraction digits', () => {
    expect(createSystemClock().now()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });
});
