import { invalidArgument } from './errors.ts';
import { parseTimestampNs } from './timestamp.ts';

// Go's time.ParseDuration units, as `podman logs --since 10m` takes them.
const unitNs: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
const durationPattern = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const durationPart = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/**
 * A bound of a log window (`since`, `until`) in nanoseconds since the epoch: an RFC 3339 time,
 * or a duration before `nowNs` in Go's syntax (`10m`, `1h30m`, `2.5s`, `500ms`), as `podman logs`
 * takes them. InvalidArgument naming `what` otherwise. Pure.
 */
export function parseLogBound(text: string, nowNs: bigint, what: string): bigint {
  if (durationPattern.test(text)) {
    let ns = 0;
    for (const [, amount, unit] of text.matchAll(durationPart))
      ns += Number(amount) * unitNs[unit!]!;
    return nowNs - BigInt(Math.round(ns));
  }
  try {
    return parseTimestampNs(text);
  } catch {
    throw invalidArgument(
      `${what} must be an RFC 3339 time or a duration such as 10m or 1h30m, not ${JSON.stringify(text)}`,
    );
  }
}
