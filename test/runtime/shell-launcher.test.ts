import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import {
  createShellLauncher,
  launchLine,
  type LaunchRequest,
} from '../../src/runtime/shell-launcher.ts';

let dir: string;
const launcher = createShellLauncher(2);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'taskledger-launcher-'));
});

afterAll(async () => {
  await launcher.close();
  await rm(dir, { recursive: true, force: true });
});

/** A request for `/bin/sh -c script`, its stderr and fd 3 going to files in the test directory. */
const shell = (script: string, extra: Partial<LaunchRequest> = {}): LaunchRequest => ({
  file: '/bin/sh',
  args: ['-c', script, 'launched'],
  cwd: dir,
  env: {},
  stderrFile: path.join(dir, 'stderr'),
  timeoutMs: 5_000,
  ...extra,
});

const run = async (request: LaunchRequest) => {
  const outcome = launcher.run(request);
  if (!outcome) throw new Error('the launcher refused a line-safe request');
  return outcome;
};

/** The signal mask a process ignores, from /proc/PID/status. */
const ignoredSignals = (status: string): bigint =>
  BigInt(`0x${/^SigIgn:\s*([0-9a-f]+)$/m.exec(status)![1]}`);

describe('shell launcher', () => {
  it('runs a command with its arguments byte for byte, in its cwd, with its environment', async () => {
    const args = ["it's", '$HOME', '`id`', 'a  b', '"q"', '\\', '', '*', '; exit 9'];
    const out = path.join(dir, 'args');
    const outcome = await run({
      file: '/bin/sh',
      args: ['-c', 'printf "%s|" "$@" > args; pwd >> args; echo "$EXTRA" >> args', 'sh', ...args],
      cwd: dir,
      env: { EXTRA: "it's here" },
      stderrFile: path.join(dir, 'stderr'),
      timeoutMs: 5_000,
    });
    expect(outcome).toEqual({
      exitCode: 0,
      timedOut: false,
      canceled: false,
      stderr: '',
      stdout: '',
    });
    expect(readFileSync(out, 'utf8')).toBe(
      `${args.map((a) => `${a}|`).join('')}${dir}\nit's here\n`,
    );
  });

  it('returns the exit status and what the command wrote to stderr', async () => {
    const outcome = await run(shell('echo "bad flag" >&2; exit 3'));
    expect(outcome).toEqual({
      exitCode: 3,
      timedOut: false,
      canceled: false,
      stderr: 'bad flag\n',
      stdout: '',
    });
  });

  it('returns what the command wrote to stdout when given a file for it', async () => {
    const stdoutFile = path.join(dir, 'stdout');
    const outcome = await run(shell('printf "line 1\\nno newline"; echo oops >&2', { stdoutFile }));
    expect(outcome).toMatchObject({ exitCode: 0, stdout: 'line 1\nno newline', stderr: 'oops\n' });
    expect(launchLine(shell('true', { stdoutFile }))).toContain(`>'${stdoutFile}'`);
  });

  it('gives fd 3 to the named file, and no fd 3, no stdin and no stdout otherwise', async () => {
    const fd3File = path.join(dir, 'fd3');
    await run(shell('echo \'{"data": 42}\' >&3', { fd3File }));
    expect(await readFile(fd3File, 'utf8')).toBe('{"data": 42}\n');
    // $$ is the command itself. Its fds are read from a pipeline, whose parts are children:
    // dash applies a simple command's redirections in the shell itself, a pipeline's never.
    const report = path.join(dir, 'fds');
    const outcome = await run(
      shell(`for fd in 0 1 3; do readlink /proc/$$/fd/$fd || echo none; done | cat > '${report}'`),
    );
    expect(outcome.exitCode).toBe(0);
    expect(readFileSync(report, 'utf8')).toBe('/dev/null\n/dev/null\nnone\n');
  });

  it('starts commands with SIGINT and SIGQUIT handled by default, as a spawn would', async () => {
    const report = path.join(dir, 'status');
    await run(shell(`cat /proc/$$/status > ${report}`));
    const ignored = ignoredSignals(readFileSync(report, 'utf8'));
    expect(ignored & 0b110n).toBe(0n); // SIGINT (2) and SIGQUIT (3)
  });

  it('kills a command that outlives its timeout', async () => {
    const started = Date.now();
    const outcome = await run(shell('sleep 10', { timeoutMs: 200 }));
    expect(outcome).toMatchObject({ exitCode: undefined, timedOut: true });
    expect(Date.now() - started).toBeLessThan(3_000);
    // The shell survives and takes the next command.
    expect((await run(shell('exit 0'))).exitCode).toBe(0);
  });

  it('cancels what runs and what waits for a shell, and keeps working afterwards', async () => {
    const own = createShellLauncher(1);
    try {
      const started = Date.now();
      const running = own.run(shell('sleep 10'))!;
      const waiting = own.run(shell(`echo ran > '${path.join(dir, 'canceled')}'`))!;
      await new Promise((resolve) => setTimeout(resolve, 100)); // the first has its pid by now
      own.cancelAll();
      expect(await running).toMatchObject({ canceled: true, exitCode: undefined });
      expect(await waiting).toMatchObject({ canceled: true, exitCode: undefined });
      expect(Date.now() - started).toBeLessThan(3_000);
      await expect(stat(path.join(dir, 'canceled'))).rejects.toThrow(/ENOENT/);
      expect((await own.run(shell('exit 5'))!).exitCode).toBe(5);
    } finally {
      await own.close();
    }
  });

  it('refuses what one shell line cannot carry, so the caller spawns it itself', () => {
    expect(launcher.run(shell('echo "two\nlines"'))).toBeUndefined();
    expect(launcher.run(shell('true', { env: { 'NOT-A-NAME': 'x' } }))).toBeUndefined();
    expect(launcher.run(shell('true', { cwd: `${dir}\0x` }))).toBeUndefined();
    expect(launchLine(shell('true'))).toMatch(/^cd '.*' && exec '\/bin\/sh' '-c' 'true'/);
  });

  it('runs as many commands at once as it has shells, the rest in order', async () => {
    const marks = path.join(dir, 'marks');
    const started = Date.now();
    await Promise.all(
      [1, 2, 3].map((n) => run(shell(`sleep 0.3; echo ${n} $(date +%s%N) >> ${marks}`))),
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(590); // two rounds: two at once, then the third
    expect(readFileSync(marks, 'utf8').trim().split('\n').at(-1)).toMatch(/^3 /);
  });

  it('replaces a shell that died, failing only the command it was running', async () => {
    const own = createShellLauncher(1);
    try {
      // The command kills its own launcher shell (its parent) while it runs.
      const dying = own.run(shell('kill -KILL $PPID; sleep 0.2'));
      await expect(dying).rejects.toSatisfy((error: unknown) =>
        isTaskledgerError(error, 'Unavailable'),
      );
      expect((await own.run(shell('exit 4'))!).exitCode).toBe(4);
    } finally {
      await own.close();
    }
  });

  it('rejects as Unavailable when its shell cannot start', async () => {
    const broken = createShellLauncher(1, path.join(dir, 'no-such-shell'));
    try {
      await expect(broken.run(shell('true'))).rejects.toSatisfy(
        (error: unknown) =>
          isTaskledgerError(error, 'Unavailable') &&
          /cannot start the launcher shell: spawn .*no-such-shell ENOENT/.test(error.message),
      );
    } finally {
      await broken.close();
    }
  });

  it('keeps a process that has nothing else to do alive until its close has finished', async () => {
    // In its own Node process: there, the shells are all that is left on the event loop.
    const script = path.join(dir, 'close-last.mts');
    await writeFile(
      script,
      [
        `import { createShellLauncher } from ${JSON.stringify(path.resolve('src/runtime/shell-launcher.ts'))};`,
        `const launcher = createShellLauncher(1);`,
        `await launcher.run({ file: '/bin/true', args: [], cwd: '/', env: {}, stderrFile: ${JSON.stringify(path.join(dir, 'close-last.err'))}, timeoutMs: 5000 });`,
        `await launcher.close();`,
        `console.log('closed');`,
      ].join('\n'),
    );
    const result = await execa('node', ['--import', 'tsx', script], { reject: false });
    expect({ stdout: result.stdout, exitCode: result.exitCode }).toEqual({
      stdout: 'closed',
      exitCode: 0,
    });
  });

  it('leaves no shell behind when closed, and refuses runs afterwards', async () => {
    const own = createShellLauncher(2);
    const pids = path.join(dir, 'ppids');
    await Promise.all([
      own.run(shell(`echo $PPID >> ${pids}; sleep 0.2`)),
      own.run(shell(`echo $PPID >> ${pids}; sleep 0.2`)),
    ]);
    const shells = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(new Set(shells).size).toBe(2);
    await own.close();
    for (const pid of shells) await expect(stat(`/proc/${pid}`)).rejects.toThrow(/ENOENT/);
    await expect(own.run(shell('true'))).rejects.toSatisfy((error: unknown) =>
      isTaskledgerError(error, 'Unavailable'),
    );
  });
});
