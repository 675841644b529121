import { formatTimestampNs } from '../domain/timestamp.ts';
import type { Clock } from '../ports/clock.ts';

/** How far the high-resolution reading may drift from the wall clock before it is re-anchored. */
const maxDriftNs = 2_000_000n;

/**
 * The wall clock with nanosecond resolution: `process.hrtime.bigint()` supplies the digits below
 * the millisecond, anchored on `Date.now()`; when the two drift apart by more than 2 ms (NTP
 * slews, a suspended VM) the anchor moves, so event times stay comparable with the kernel's exit
 * times. Successive calls never go backwards.
 */
export function createSystemClock(): Clock {
  let anchorNs = BigInt(Date.now()) * 1_000_000n;
  let anchorHr = process.hrtime.bigint();
  let last = 0n;
  return {
    now() {
      const hr = process.hrtime.bigint();
      let ns = anchorNs + (hr - anchorHr);
      const wall = BigInt(Date.now()) * 1_000_000n;
      const drift = ns - wall;
      if (drift > maxDriftNs || drift < -maxDriftNs) {
        anchorNs = wall;
        anchorHr = hr;
        ns = wall;
      }
      if (ns <= last) ns = last + 1n;
      last = ns;
      return formatTimestampNs(ns);
    },
  };
}
