import { cp, mkdir, mkdtemp, rm, symlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, requireBuiltCli } from '../helpers/run-cli.ts';

describe('the taskledger launcher (bin/taskledger)', () => {
  let dir: string;
  beforeAll(async () => {
    requireBuiltCli();
    dir = await mkdtemp(path.join(tmpdir(), 'taskledger-launcher-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs through a symlink, as npm links it, passing arguments and the exit code', async () => {
    const link = path.join(dir, 'taskledger');
    await symlink(cliBin, link);
    const help = await execa(link, ['--help'], { reject: false, timeout: 30_000 });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^usage: taskledger /);
    const unreachable = await execa(link, ['--address', path.join(dir, 'none.sock'), 'version'], {
      reject: false,
      timeout: 30_000,
    });
    expect(unreachable.exitCode).toBe(7); // Unavailable
    expect(unreachable.stderr).toContain('cannot reach the taskledger daemon');
  });

  it('runs by a relative path, and by a bare name as sh runs it, from its own directory', async () => {
    const bin = path.dirname(cliBin);
    for (const [file, args] of [
      ['./taskledger', ['--help']],
      ['sh', ['taskledger', '--help']],
    ] as const) {
      const run = await execa(file, args, { cwd: bin, reject: false, timeout: 30_000 });
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toMatch(/^usage: taskledger /);
    }
  });

  it('starts Node without NODE_EXTRA_CA_CERTS, which taskledger never needs', async () => {
    // Node warns about an unreadable CA file at start-up: the launcher must not hand it one.
    const env = { NODE_EXTRA_CA_CERTS: path.join(dir, 'missing-ca.pem') };
    const direct = await execa('node', ['-e', '0'], { env, reject: false, timeout: 30_000 });
    expect(direct.stderr).toContain('extra certs');
    const launched = await execa(cliBin, ['--help'], { env, reject: false, timeout: 30_000 });
    expect(launched.exitCode).toBe(0);
    expect(launched.stderr).toBe('');
  });

  /** The command the launcher execs, from its `sh -x` trace. */
  const execOf = async (launcher: string, args: string[], env: Record<string, string> = {}) => {
    const run = await execa('sh', ['-x', launcher, ...args], {
      env,
      reject: false,
      timeout: 30_000,
    });
    return { line: run.stderr.split('\n').find((l) => l.startsWith('+ exec ')) ?? '', run };
  };

  it('starts client commands from the start-up snapshot, and the daemon from the bundle', async () => {
    const help = await execOf(cliBin, ['--address', 'x', '--help']);
    expect(help.line).toMatch(
      /--snapshot-blob \S+\/dist\/snapshot\/cli\.blob -- --address x --help$/,
    );
    expect(help.run.stdout).toMatch(/^usage: taskledger /);
    const daemon = await execOf(cliBin, ['--namespace', 'n', 'daemon', '--standby-monitors', 'x']);
    expect(daemon.line).toMatch(/\/bin\/taskledger\.js --namespace n daemon --standby-monitors x$/);
    expect(daemon.run.stderr).toContain('--standby-monitors must be a number');
    // NODE_OPTIONS might hold what a snapshot cannot take: the bundle then.
    const options = await execOf(cliBin, ['--help'], { NODE_OPTIONS: '--no-warnings' });
    expect(options.line).toMatch(/\/bin\/taskledger\.js --help$/);
  });

  it('starts from the bundle when the snapshot is older than the Node on PATH, or gone', async () => {
    // A copy of the launcher next to a snapshot of its own, and the real bundle.
    const repo = path.dirname(path.dirname(cliBin));
    const copy = path.join(dir, 'copy');
    await mkdir(path.join(copy, 'bin'), { recursive: true });
    await mkdir(path.join(copy, 'dist'), { recursive: true });
    await cp(cliBin, path.join(copy, 'bin', 'taskledger'));
    await cp(path.join(repo, 'bin', 'taskledger.js'), path.join(copy, 'bin', 'taskledger.js'));
    await symlink(path.join(repo, 'dist', 'bundle'), path.join(copy, 'dist', 'bundle'));
    await cp(path.join(repo, 'dist', 'snapshot'), path.join(copy, 'dist', 'snapshot'), {
      recursive: true,
    });
    const launcher = path.join(copy, 'bin', 'taskledger');
    expect((await execOf(launcher, ['--help'])).line).toContain('--snapshot-blob');
    const old = new Date('2000-01-01');
    await utimes(path.join(copy, 'dist', 'snapshot', 'cli.blob'), old, old);
    const stale = await execOf(launcher, ['--help']);
    expect(stale.line).toMatch(/taskledger\.js --help$/);
    expect(stale.run.stdout).toMatch(/^usage: taskledger /);
    await rm(path.join(copy, 'dist', 'snapshot'), { recursive: true });
    expect((await execOf(launcher, ['--help'])).line).toMatch(/taskledger\.js --help$/);
  });
});
