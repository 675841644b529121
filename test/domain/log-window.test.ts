import { describe, expect, it } from 'vitest';
import { parseLogBound } from '../../src/domain/log-window.ts';
import { parseTimestampNs } from '../../src/domain/timestamp.ts';

const now = parseTimestampNs('2026-11-29T12:00:00Z');
const at = (text: string): bigint => parseTimestampNs(text);

describe('the bounds of a log window (logs --since / --until)', () => {
  it('takes an RFC 3339 time, with any fraction and offset', () => {
    expect(parseLogBound('2026-11-29T10:00:00.5+01:00', now, 'since')).toBe(
      at('2026-11-29T09:00:00.500000000Z'),
    );
  });

  it("takes a duration before now in Go's syntax, units combined and fractional", () => {
    expect(parseLogBound('10m', now, 'since')).toBe(at('2026-11-29T11:50:00Z'));
    expect(parseLogBound('1h30m', now, 'since')).toBe(at('2026-11-29T10:30:00Z'));
    expect(parseLogBound('2.5s', now, 'since')).toBe(at('2026-11-29T11:59:57.5Z'));
    expect(parseLogBound('250ms', now, 'since')).toBe(at('2026-11-29T11:59:59.75Z'));
    expect(parseLogBound('0s', now, 'until')).toBe(now);
  });

  it('refuses anything else, naming the bound', () => {
    for (const text of ['yesterday', '10', '10 m', '-5m', '', '2026-11-29']) {
      expect(() => parseLogBound(text, now, 'until')).toThrow(
        `until must be an RFC 3339 time or a duration such as 10m or 1h30m, not ${JSON.stringify(text)}`,
      );
    }
  });
});
