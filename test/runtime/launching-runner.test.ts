import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLaunchingRunner } from '../../src/runtime/launching-runner.ts';
import { outcomeError } from '../../src/runtime/runc-cli.ts';
import { createShellLauncher } from '../../src/runtime/shell-launcher.ts';
import {
  createSubprocessRunner,
  type SubprocessRequest,
  type SubprocessRunner,
} from '../../src/runtime/subprocess-runner.ts';

let dir: string;
let scratchDir: string;
const launcher = createShellLauncher(2);
const fallbacks: SubprocessRunner[] = [];
let runner: SubprocessRunner;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'taskledger-launching-'));
  scratchDir = await mkdtemp(path.join(dir, 'scratch-'));
  runner = createLaunchingRunner({
    launcher,
    fallback: () => {
      const fallback = createSubprocessRunner(1);
      fallbacks.push(fallback);
      return fallback;
    },
    scratchDir,
  });
});

afterAll(async () => {
  await runner.close();
  await launcher.close();
  await rm(dir, { recursive: true, force: true });
});

const sh = (script: string, extra: Partial<SubprocessRequest> = {}): SubprocessRequest => ({
  file: '/bin/sh',
  args: ['-c', script, 'sh'],
  timeoutMs: 5_000,
  ...extra,
});

/** Prints the command's parent pid and its grandparent's, as "ppid grandparent". */
const lineage = 'read -r _ _ _ gp _ < /proc/$PPID/stat; echo "$PPID $gp"';

describe('launching runner', () => {
  it('runs a command from a launcher shell and returns its stdout, stderr and status', async () => {
    const outcome = await runner.run(sh(`${lineage}; echo warn >&2; exit 0`));
    const [parent, grandparent] = outcome.stdout.trim().split(' ').map(Number);
    // The command's parent is a launcher shell, a child of this process: no fork of ours.
    expect(parent).not.toBe(process.pid);
    expect(grandparent).toBe(process.pid);
    expect(outcome).toMatchObject({ stderr: 'warn\n', exitCode: 0, failed: false });
    expect(fallbacks).toHaveLength(0);
    expect(await readdir(scratchDir)).toEqual([]);
  });

  it('passes cwd and environment, and keeps stdout exactly as written', async () => {
    const outcome = await runner.run(
      sh('printf "%s\\n%s" "$PWD" "$GREETING"', { cwd: dir, env: { GREETING: "it's me" } }),
    );
    expect(outcome.stdout).toBe(`${dir}\nit's me`);
  });

  it('reports a failure the way the worker runner does', async () => {
    const outcome = await runner.run(sh('echo "no such container" >&2; exit 3'));
    expect(outcome).toMatchObject({ exitCode: 3, failed: true, timedOut: false });
    expect(outcome.shortMessage).toBe(
      'Command failed with exit code 3: /bin/sh -c echo "no such container" >&2; exit 3 sh',
    );
    expect(outcomeError(outcome, 'runc kill').message).toBe('runc kill: no such container');
  });

  it('reports a missing executable as ENOENT', async () => {
    const outcome = await runner.run({ file: '/no/such/binary', args: [], timeoutMs: 5_000 });
    expect(outcome).toMatchObject({ code: 'ENOENT', failed: true });
    expect(outcomeError(outcome, 'runc state')).toMatchObject({
      code: 'Unavailable',
      message: 'runc state: executable not found',
    });
  });

  it('kills a command at its timeout', async () => {
    const outcome = await runner.run(sh('sleep 10', { timeoutMs: 200 }));
    expect(outcome).toMatchObject({ timedOut: true, failed: true, exitCode: undefined });
    expect(outcomeError(outcome, 'mount').message).toBe('mount timed out');
  });

  it('cancels what runs when the runtime closes, and idle waits for it', async () => {
    const running = runner.run(sh('sleep 10'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    runner.cancelAll();
    await runner.idle(3_000);
    expect(await running).toMatchObject({ isCanceled: true, failed: true });
  });

  it('hands what one shell line cannot carry to the fallback, created at first need', async () => {
    const outcome = await runner.run(sh(`${lineage}\n`));
    expect(Number(outcome.stdout.trim().split(' ')[0])).toBe(process.pid); // spawned by us
    expect(fallbacks).toHaveLength(1);
    const sync = await runner.run(sh('echo report >&3', { syncPipe: true }));
    expect(sync.syncText).toBe('report\n');
    expect(fallbacks).toHaveLength(1); // the same one
  });
});
