import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withCliDaemon } from '../helpers/cli-daemon.ts';
import { cli } from '../helpers/run-cli.ts';
import type { TestDaemon } from '../helpers/test-daemon.ts';
import { tarOf } from './tar-fixture.ts';

describe('images on the command line', () => {
  let d: TestDaemon;
  let rootfs: string;
  const tl = (...args: string[]) => cli(d.address, args);
  withCliDaemon((fixture) => ({ daemon: d, rootfs } = fixture));

  it('imports a directory and lists it', async () => {
    const imported = await tl('images', 'import', '--label', 'os=busybox', rootfs, 'busybox:cli');
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/^busybox:cli {2}\d+\.\d MB$/);
    expect(imported.exitCode).toBe(0);
    const ls = await tl('images', 'ls');
    expect(ls.stdout).toMatch(/^NAME +SNAPSHOT +SIZE +CREATED +LABELS$/m);
    expect(ls.stdout).toMatch(/^busybox:cli +base:1 +\d+\.\d MB +\S+ \S+ +os=busybox$/m);
  });

  it('runs a container from the image and removes its snapshot with --rm', async () => {
    const run = await tl(
      'run',
      '--rm',
      '--image',
      'busybox:cli',
      'once',
      '--',
      'sh',
      '-c',
      'echo hi > /x && cat /x',
    );
    expect(run.stdout).toBe('hi');
    expect(run.exitCode).toBe(0);
    for (let i = 0; i < 100 && readdirSync(join(d.root, 'snapshots')).length > 1; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readdirSync(join(d.root, 'snapshots'))).toEqual(['1']);
  });

  it('commits a container as a new image', async () => {
    expect(
      (await tl('containers', 'create', '--image', 'busybox:cli', 'c1', '--', 'true')).exitCode,
    ).toBe(0);
    const commit = await tl('containers', 'commit', 'c1', 'mine:v1');
    expect(commit.stdout).toBe('mine:v1');
    expect((await tl('images', 'ls', '-q')).stdout.split('\n')).toEqual(['busybox:cli', 'mine:v1']);
  });

  it('refuses to remove an image in use with exit code 5, naming the user', async () => {
    const rm = await tl('images', 'rm', 'busybox:cli');
    expect(rm.stderr).toBe(
      'taskledger: image "busybox:cli" is in use by image "mine:v1" (and 1 more): remove them first',
    );
    expect(rm.exitCode).toBe(5);
  });

  it('names the bad entry of a refused archive with exit code 2', async () => {
    const evil = join(d.dir, 'evil.tar');
    writeFileSync(evil, tarOf([{ name: '../../etc/cron.d/x', content: 'boom' }]));
    const result = await tl('images', 'import', evil, 'evil');
    expect(result.stderr).toBe(
      'taskledger: archive entry "../../etc/cron.d/x" has a ".." component: refusing to unpack outside the image root',
    );
    expect(result.exitCode).toBe(2);
    expect(existsSync('/etc/cron.d/x')).toBe(false);
  });

  it('asks for exactly one of --rootfs and --image', async () => {
    const neither = await tl('containers', 'create', 'c2', '--', 'true');
    expect(neither.stderr).toBe('taskledger: give --rootfs DIR or --image NAME (one of them)');
    expect(neither.exitCode).toBe(2);
  });
});
