import { invalidArgument } from './errors.ts';

/**
 * Timestamps are RFC 3339 strings in UTC with exactly nine fraction digits
 * ("2026-11-29T04:31:45.123456789Z"): fixed width, so they sort as text and keep nanoseconds.
 */
export type Timestamp = string;

const nsPerMs = 1_000_000n;

/** Formats nanoseconds since the Unix epoch as a {@link Timestamp}. */
export function formatTimestampNs(ns: bigint): Timestamp {
  const ms = ns / nsPerMs;
  const iso = new Date(Number(ms)).toISOString(); // 2026-11-29T04:31:45.123Z
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

/** Parses an RFC 3339 time (any fraction length, Z or offset) into nanoseconds since the epoch. */
export function parseTimestampNs(text: string): bigint {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(
    text,
  );
  if (!match) throw invalidArgument(`invalid RFC 3339 time ${JSON.stringify(text)}`);
  const [, base, fraction = '', zone] = match;
  const ms = Date.parse(`${base}${zone}`);
  if (Number.isNaN(ms)) throw invalidArgument(`invalid RFC 3339 time ${JSON.stringify(text)}`);
  return BigInt(ms) * nsPerMs + BigInt(fraction.padEnd(9, '0'));
}

/** Normalises any RFC 3339 time into the fixed-width {@link Timestamp} form. */
export function normalizeTimestamp(text: string): Timestamp {
  return formatTimestampNs(parseTimestampNs(text));
}

/** Duration between two timestamps in nanoseconds (b - a). */
export function durationNs(a: Timestamp, b: Timestamp): bigint {
  return parseTimestampNs(b) - parseTimestampNs(a);
}
