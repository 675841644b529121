import { describe, expect, it } from 'vitest';
import { withCliDaemon } from '../helpers/cli-daemon.ts';
import { cli } from '../helpers/run-cli.ts';
import type { TestDaemon } from '../helpers/test-daemon.ts';

describe('namespaces on the command line', () => {
  let d: TestDaemon;
  let rootfs: string;
  const tl = (...args: string[]) => cli(d.address, args);
  withCliDaemon((fixture) => ({ daemon: d, rootfs } = fixture));

  it('creates, labels, lists and removes namespaces, as ctr namespaces does', async () => {
    expect(await tl('namespaces', 'create', 'team', 'a=1', 'b=2')).toMatchObject({
      exitCode: 0,
      stdout: 'team',
    });
    expect((await tl('ns', 'label', 'team', 'b=', 'c=3')).stdout).toBe('a=1,c=3');
    expect((await tl('ns', 'label', 'team')).stdout).toBe('a=1,c=3'); // no pairs: prints them
    const ls = await tl('ns', 'ls');
    expect(ls.stdout.split('\n')[0]).toMatch(/^NAME\s+LABELS$/);
    expect(ls.stdout).toMatch(/^team\s+a=1,c=3$/m);
    expect(JSON.parse((await tl('--json', 'ns', 'ls')).stdout)).toContainEqual(
      expect.objectContaining({ name: 'team', labels: { a: '1', c: '3' } }),
    );
    expect(await tl('ns', 'rm', 'team')).toMatchObject({ exitCode: 0, stdout: 'team' });
    expect((await tl('ns', 'ls', '-q')).stdout.split('\n')).not.toContain('team');
  });

  it('names what is wrong: a taken or bad name, a missing namespace, one still in use', async () => {
    await tl('ns', 'create', 'busy');
    expect(await tl('ns', 'create', 'busy')).toMatchObject({
      exitCode: 4,
      stderr: 'taskledger: namespace "busy": already exists',
    });
    expect((await tl('ns', 'create', 'no/slash')).exitCode).toBe(2);
    expect(await tl('ns', 'rm', 'missing')).toMatchObject({
      exitCode: 3,
      stderr: 'taskledger: namespace "missing": not found',
    });
    const create = ['containers', 'create', '--rootfs', rootfs, 'c1', '--', 'true'];
    expect((await tl('--namespace', 'busy', ...create)).exitCode).toBe(0);
    expect(await tl('ns', 'rm', 'busy')).toMatchObject({
      exitCode: 5,
      stderr: 'taskledger: namespace "busy" must be empty, but it still has containers',
    });
    expect((await tl('--namespace', 'busy', 'containers', 'rm', 'c1')).exitCode).toBe(0);
    expect((await tl('ns', 'rm', 'busy')).exitCode).toBe(0);
  });
});
