import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTaskledgerError, type ErrorCode } from '../../src/domain/errors.ts';
import { launchConmon } from '../../src/runtime/conmon-launcher.ts';
import { createRuntimeLayout, type ProcessPaths } from '../../src/runtime/runtime-layout.ts';
import { createShellLauncher, type ShellLauncher } from '../../src/runtime/shell-launcher.ts';
import { createSubprocessRunner } from '../../src/runtime/subprocess-runner.ts';

// A stand-in for conmon, driven by its first argument: what it reports on its sync fd (3) and
// when. Like conmon, a daemonizing mode leaves a child behind, its pid in conmon.pid (-P), its
// command line naming the monitor directory (the second argument).
const fakeConmon = String.raw`#!/bin/sh
mode=$1
case $mode in
  ok) echo '{"data": 4242}' >&3 ;;
  late) (sleep 0.3; echo '{"data": 4343}' >&3) & echo $! > conmon.pid ;;
  vanish) (sleep 0.3; true) & echo $! > conmon.pid ;;
  refuse) echo "conmon: Unknown option --bogus" >&2; exit 1 ;;
  runc-fails) printf '%s\n' '{"data": -1, "message": "time=\"2026-11-29T00:00:00Z\" level=error msg=\"runc create failed: unable to start container process: exec: \\\"nope\\\": executable file not found in $PATH\""}' >&3 ;;
  hang) exec sleep 10 ;;
esac
`;

let dir: string;
let conmon: string;
let counter = 0;
const runner = createSubprocessRunner(2);
const launcher = createShellLauncher(2);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'taskledger-conmon-launch-'));
  conmon = path.join(dir, 'fake-conmon');
  await writeFile(conmon, fakeConmon);
  await chmod(conmon, 0o755);
});

afterAll(async () => {
  await launcher.close();
  await runner.close();
  await rm(dir, { recursive: true, force: true });
});

/** A fresh monitor directory, as createTask makes one. */
async function monitor(): Promise<ProcessPaths> {
  const paths = createRuntimeLayout(path.join(dir, 'state')).task('ns', `t${++counter}`).init;
  await mkdir(paths.dir, { recursive: true });
  return paths;
}

async function launch(mode: string, options: { timeoutMs?: number; via?: ShellLauncher } = {}) {
  const paths = await monitor();
  const ctx = {
    conmonBinary: conmon,
    conmonTimeoutMs: options.timeoutMs ?? 5_000,
    launcher: options.via ?? launcher,
    runner,
    launches: new Set<Promise<unknown>>(),
  };
  return launchConmon(ctx, { args: [mode, paths.dir], monitor: paths, what: 'create ns/t' });
}

const failsWith = (code: ErrorCode, message: RegExp) => (error: unknown) =>
  isTaskledgerError(error, code) && message.test(error.message);

describe('launching conmon', () => {
  it('resolves with the pid conmon reports', async () => {
    await expect(launch('ok')).resolves.toBe(4242);
  });

  it('waits for a report that comes after conmon has daemonized', async () => {
    const started = Date.now();
    await expect(launch('late')).resolves.toBe(4343);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("rejects with runc's own message when runc failed", async () => {
    await expect(launch('runc-fails')).rejects.toSatisfy(
      failsWith('FailedPrecondition', /^create ns\/t: .*exec: "nope": executable file not found/),
    );
  });

  it('rejects with what conmon said on stderr when it refused its arguments', async () => {
    await expect(launch('refuse')).rejects.toSatisfy(
      failsWith('FailedPrecondition', /^create ns\/t: conmon: Unknown option --bogus$/),
    );
  });

  it('rejects soon when conmon dies without reporting, not at the timeout', async () => {
    const started = Date.now();
    await expect(launch('vanish', { timeoutMs: 20_000 })).rejects.toSatisfy(
      failsWith('FailedPrecondition', /conmon exited without reporting a pid/),
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250); // it lived 0.3 s
    expect(elapsed).toBeLessThan(2_000);
  });

  it('kills a conmon that hangs and rejects as Unavailable at the timeout', async () => {
    await expect(launch('hang', { timeoutMs: 300 })).rejects.toSatisfy(
      failsWith('Unavailable', /conmon \(create ns\/t\) timed out/),
    );
  });

  it('spawns through the subprocess runner what the launcher cannot take', async () => {
    const refusing: ShellLauncher = {
      run: () => undefined,
      cancelAll: () => undefined,
      close: () => Promise.resolve(),
    };
    await expect(launch('ok', { via: refusing })).resolves.toBe(4242);
    await expect(launch('refuse', { via: refusing })).rejects.toSatisfy(
      failsWith('FailedPrecondition', /conmon: Unknown option --bogus/),
    );
  });
});
