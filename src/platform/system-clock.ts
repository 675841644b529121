import { formatTimestampNs } from '../domain/timestamp.ts';
import type { Clock } from '../ports/clock.ts';

/** How far the high-resolution reading may drift from the wall clock before it is re-anchored. */
const maxDriftNs = 2_000_000n;

/** What the system clock reads; the defaults are the process's, tests pass their own. */
export interface TimeSources {
  /** Wall-clock milliseconds since the epoch (`Date.now()`). */
  readonly wallMs: () => number;
  /** A monotonic nanosecond counter (`process.hrtime.bigint()`). */
  readonly monotonicNs: () => bigint;
}

const processTimeSources: TimeSources = {
  wallMs: () => Date.now(),
  monotonicNs: () => process.hrtime.bigint(),
};

/**
 * The wall clock with nanosecond resolution: the monotonic counter supplies the digits below
 * the millisecond, anchored on the wall clock; when the two drift apart by more than 2 ms (NTP
 * slews, a suspended VM) the anchor moves, so event times stay comparable with the kernel's exit
 * times. Successive calls never go backwards: after the wall clock steps back, the clock stays
 * ahead of it, one nanosecond further per call, until the wall clock catches up.
 */
export function createSystemClock(sources: TimeSources = processTimeSources): Clock {
  let anchorNs = BigInt(sources.wallMs()) * 1_000_000n;
  let anchorMonotonic = sources.monotonicNs();
  let last = 0n;
  return {
    now() {
      const monotonic = sources.monotonicNs();
      let ns = anchorNs + (monotonic - anchorMonotonic);
      const wall = BigInt(sources.wallMs()) * 1_000_000n;
      const drift = ns - wall;
      if (drift > maxDriftNs || drift < -maxDriftNs) {
        anchorNs = wall;
        anchorMonotonic = monotonic;
        ns = wall;
      }
      if (ns <= last) ns = last + 1n;
      last = ns;
      return formatTimestampNs(ns);
    },
  };
}
