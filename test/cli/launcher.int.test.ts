import { mkdtemp, rm, symlink } from 'node:fs/promises';
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
});
