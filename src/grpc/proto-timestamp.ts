import { parseTimestampNs, type Timestamp } from '../domain/timestamp.ts';

/** A `google.protobuf.Timestamp` as proto-loader reads and writes it. */
export interface ProtoTimestamp {
  /** Whole seconds since the Unix epoch (negative before 1970). */
  readonly seconds: number;
  /** Nanoseconds within the second, 0..999_999_999. */
  readonly nanos: number;
}

/**
 * Go's zero `time.Time` (0001-01-01T00:00:00Z) as a protobuf Timestamp: what containerd sends
 * for a time it does not know (a process that has not exited), and what `ctr` prints then.
 */
export const goZeroTime: ProtoTimestamp = Object.freeze({ seconds: -62135596800, nanos: 0 });

const nsPerSecond = 1_000_000_000n;

/** Converts a stored RFC 3339 time; null or empty (unknown) becomes {@link goZeroTime}. */
export function toProtoTimestamp(time: Timestamp | null | undefined): ProtoTimestamp {
  if (!time) return goZeroTime;
  const ns = parseTimestampNs(time);
  // Floor division, so times before 1970 keep 0 <= nanos < 1e9 as the protobuf spec requires.
  let seconds = ns / nsPerSecond;
  let nanos = ns % nsPerSecond;
  if (nanos < 0n) {
    seconds -= 1n;
    nanos += nsPerSecond;
  }
  return { seconds: Number(seconds), nanos: Number(nanos) };
}
