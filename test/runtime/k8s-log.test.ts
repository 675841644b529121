import { describe, expect, it } from 'vitest';
import { parseK8sLog } from '../../src/runtime/k8s-log.ts';

const text = (bytes: Buffer): string => bytes.toString('utf8');

describe('k8s-file log parser', () => {
  it('restores the newline of full lines and keeps partial ones as they are', () => {
    const { records, rest } = parseK8sLog(
      Buffer.from(
        '2026-11-29T04:37:40.584267691+00:00 stdout F hi there\n' +
          '2026-11-29T04:37:40.584492945+00:00 stderr F err\n' +
          '2026-11-29T04:37:40.640238204+00:00 stdout P partial\n',
      ),
    );
    expect(records.map((r) => [r.stream, text(r.bytes)])).toEqual([
      ['stdout', 'hi there\n'],
      ['stderr', 'err\n'],
      ['stdout', 'partial'],
    ]);
    expect(rest).toHaveLength(0);
  });

  it('keeps an unfinished record for the next chunk', () => {
    const first = parseK8sLog(
      Buffer.from('2026-11-29T04:37:40.5+00:00 stdout F one\n2026-11-29T04:37:40.6+00:00 std'),
    );
    expect(first.records.map((r) => text(r.bytes))).toEqual(['one\n']);
    const second = parseK8sLog(Buffer.concat([first.rest, Buffer.from('out F two\n')]));
    expect(second.records.map((r) => text(r.bytes))).toEqual(['two\n']);
  });

  it('never splits a multi-byte character cut by a read', () => {
    const line = Buffer.from('2026-11-29T04:37:40.5+00:00 stdout F héllo\n');
    const cut = line.indexOf(0xc3) + 1;
    const first = parseK8sLog(line.subarray(0, cut));
    const second = parseK8sLog(Buffer.concat([first.rest, line.subarray(cut)]));
    expect(text(second.records[0]!.bytes)).toBe('héllo\n');
  });

  it('handles empty lines and skips malformed ones', () => {
    const { records } = parseK8sLog(
      Buffer.from(
        '2026-11-29T04:37:40.5+00:00 stdout F \n2026-11-29T04:37:40.5+00:00 stdout F\ngarbage\nts bogus F x\n',
      ),
    );
    expect(records.map((r) => text(r.bytes))).toEqual(['\n', '\n']);
  });
});
