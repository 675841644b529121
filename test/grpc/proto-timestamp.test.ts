import { describe, expect, it } from 'vitest';
import { goZeroTime, toProtoTimestamp } from '../../src/grpc/proto-timestamp.ts';

describe('toProtoTimestamp', () => {
  it('keeps every nanosecond of a stored time', () => {
    expect(toProtoTimestamp('2026-11-29T04:59:41.726045142Z')).toEqual({
      seconds: 1795928381,
      nanos: 726045142,
    });
  });

  it("gives Go's zero time for a time that is not known", () => {
    expect(toProtoTimestamp(null)).toEqual({ seconds: -62135596800, nanos: 0 });
    expect(toProtoTimestamp('')).toBe(goZeroTime);
  });

  it('keeps nanos positive for a time before 1970, as the protobuf spec requires', () => {
    expect(toProtoTimestamp('1969-12-31T23:59:59.250000000Z')).toEqual({
      seconds: -1,
      nanos: 250_000_000,
    });
  });
});
