import { describe, expect, it } from 'vitest';
import { createErrorCode, parseSyncReport } from '../../src/runtime/conmon-sync.ts';

describe("conmon's sync pipe report", () => {
  it('reads the pid of a created container', () => {
    expect(parseSyncReport('{"data": 5746}\n')).toEqual({ ok: true, pid: 5746 });
  });

  it("reads a failure with runc's message, keeping only its msg field", () => {
    const report = parseSyncReport(
      '{"data": -1, "message": "time=\\"2026-11-29T04:42:01Z\\" level=error msg=\\"runc create failed: unable to start container process: exec: \\\\\\"nosuchcmd\\\\\\": executable file not found in $PATH\\"\\n"}\n',
    );
    expect(report).toEqual({
      ok: false,
      message:
        'runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH',
    });
  });

  it('reports silence when conmon died without writing', () => {
    expect(parseSyncReport('')).toEqual({
      ok: false,
      message: 'conmon exited without reporting a pid',
    });
  });

  it('reports garbage as unreadable', () => {
    expect(parseSyncReport('not json\n')).toMatchObject({
      ok: false,
      message: expect.stringContaining('unreadable') as unknown,
    });
  });

  it('reports a failure without a message', () => {
    expect(parseSyncReport('{"data": -1}')).toMatchObject({
      ok: false,
      message: expect.stringContaining('-1') as unknown,
    });
  });

  it('calls spec errors InvalidArgument and host or rootfs errors FailedPrecondition', () => {
    expect(
      createErrorCode(
        'runc create failed: json: cannot unmarshal string into Go struct field User.process.user.uid',
      ),
    ).toBe('InvalidArgument');
    expect(createErrorCode('exec: "nosuchcmd": executable file not found in $PATH')).toBe(
      'FailedPrecondition',
    );
    expect(createErrorCode('error setting rlimit type 7: operation not permitted')).toBe(
      'FailedPrecondition',
    );
  });
});
