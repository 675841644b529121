import { formatTimestampNs } from '../domain/timestamp.ts';
import type { Clock } from '../ports/clock.ts';

/**
 * The wall clock with nanosecond resolution: `Date.now()` anchors the epoch once and
 * `process.hrtime.bigint()` supplies the sub-millisecond part. Successive calls never go backwards.
 */
export function createSystemClock(): Clock {
  const anchorNs = BigInt(Date.now()) * 1_000_000n;
  const anchorHr = process.hrtime.bigint();
  let last = 0n;
  return {
    now() {
      let ns = anchorNs + (process.hrtime.bigint() - anchorHr);
      if (ns <= last) ns = last + 1n;
      last = ns;
      return formatTimestampNs(ns);
    },
  };
}
