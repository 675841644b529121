import { describe, expect, it } from 'vitest';
import {
  parseRuncList,
  parseRuncPs,
  parseRuncState,
  parseRuncStats,
  runcErrorCode,
  runcErrorMessage,
} from '../../src/runtime/runc-output.ts';

describe('runc output parsers', () => {
  it("extracts runc's message from its logfmt stderr", () => {
    expect(
      runcErrorMessage('time="2026-11-29T04:43:30Z" level=error msg="container does not exist"\n'),
    ).toBe('container does not exist');
  });

  it('unescapes quotes inside the message', () => {
    const stderr =
      'time="2026-11-29T04:42:01Z" level=error msg="runc create failed: unable to start container process: exec: \\"nosuchcmd\\": executable file not found in $PATH"';
    expect(runcErrorMessage(stderr)).toBe(
      'runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH',
    );
  });

  it('falls back to the plain text when there is no msg field', () => {
    expect(runcErrorMessage('  something odd\n')).toBe('something odd');
  });

  it('maps runc messages to error codes', () => {
    expect(runcErrorCode('container does not exist')).toBe('NotFound');
    expect(runcErrorCode('container not running')).toBe('FailedPrecondition');
    expect(runcErrorCode('container with id web is not running')).toBe('FailedPrecondition');
    expect(runcErrorCode('cannot start a container that has stopped')).toBe('FailedPrecondition');
    expect(runcErrorCode('unknown signal "ZZZ"')).toBe('Internal');
  });

  it('parses runc state', () => {
    const state = parseRuncState(
      '{"ociVersion":"1.0.2-dev","id":"c2","pid":7241,"status":"running","bundle":"/b","rootfs":"/b/rootfs","created":"2026-11-29T04:43:29.92275743Z","owner":""}',
    );
    expect(state).toEqual({ id: 'c2', status: 'running', pid: 7241, bundle: '/b' });
  });

  it('maps an unknown status word to unknown', () => {
    expect(parseRuncState('{"id":"x","pid":0,"status":"creating"}').status).toBe('unknown');
  });

  it('parses runc list, including the null it prints for an empty root', () => {
    expect(parseRuncList('null\n')).toEqual([]);
    expect(parseRuncList('[{"id":"a","pid":1,"status":"stopped","bundle":"/a"}]')).toEqual([
      { id: 'a', pid: 1, status: 'stopped', bundle: '/a' },
    ]);
  });

  it('parses runc ps --format json', () => {
    expect(parseRuncPs('[7241,7300]\n')).toEqual([7241, 7300]);
    expect(parseRuncPs('null')).toEqual([]);
  });

  it('parses runc events --stats into task metrics, absent fields as 0', () => {
    const stats = {
      type: 'stats',
      id: 'c2',
      data: {
        cpu: {
          usage: { total: 57912259, percpu: [1, 2], kernel: 40000000, user: 10000000 },
          throttling: {},
        },
        memory: {
          cache: 1,
          usage: { limit: 9223372036854771712, usage: 2646016, max: 2736128, failcnt: 0 },
        },
        pids: { current: 1 },
        blkio: {},
      },
    };
    expect(parseRuncStats(JSON.stringify(stats))).toEqual({
      cpu: { usageNs: 57912259, userNs: 10000000, kernelNs: 40000000, perCpuNs: [1, 2] },
      memory: {
        usageBytes: 2646016,
        limitBytes: 9223372036854771712,
        maxUsageBytes: 2736128,
        cacheBytes: 1,
      },
      pids: { current: 1, limit: 0 },
    });
    expect(parseRuncStats('{"type":"stats","data":{}}')).toMatchObject({
      cpu: { perCpuNs: [] },
      memory: { cacheBytes: 0 },
    });
  });
});
