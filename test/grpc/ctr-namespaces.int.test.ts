import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfs } from '../helpers/busybox-rootfs.ts';
import { ctr, type CtrEvents, ctrPathEnv, startLiveCtrEvents } from './ctr-runner.ts';
import { startGrpcTestDaemon, type GrpcTestDaemon } from './grpc-test-daemon.ts';

const env = ctrPathEnv;

describe('namespaces with the stock ctr (Namespaces/Create, Update, Delete)', () => {
  let d: GrpcTestDaemon;
  let rootfs: string;
  let events: CtrEvents;
  const run = (...args: string[]) => ctr(d.grpcAddress, args);
  const names = async (): Promise<string[]> =>
    (await run('namespaces', 'ls', '-q')).stdout.split('\n').filter(Boolean);

  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    d = await startGrpcTestDaemon();
    events = await startLiveCtrEvents(d.grpcAddress, async (i) => {
      await d.client.namespaces.create(`warmup${i}`);
      await d.client.namespaces.delete(`warmup${i}`);
    });
  });
  afterAll(async () => {
    await events.stop();
    await d.dispose();
  });

  it("creates, labels, lists and removes a namespace, with containerd's events", async () => {
    expect(await run('namespaces', 'create', 'team', 'a=1')).toMatchObject({ exitCode: 0 });
    const again = await run('namespaces', 'create', 'team');
    expect(again.exitCode).not.toBe(0);
    expect(again.stderr).toContain('namespace "team": already exists');
    expect(await run('namespaces', 'label', 'team', 'b=2')).toMatchObject({ exitCode: 0 });
    expect(await run('namespaces', 'label', 'team', 'a=')).toMatchObject({ exitCode: 0 });
    expect((await run('namespaces', 'ls')).stdout).toMatch(/^team\s+b=2\s*$/m);
    expect((await d.client.namespaces.get('team')).labels).toEqual({ b: '2' });
    expect(await run('namespaces', 'rm', 'team')).toMatchObject({ exitCode: 0, stdout: 'team' });
    expect(await names()).not.toContain('team');
    const about = () => events.events.filter((e) => e.event.name === 'team');
    await events.until(() => about().some((e) => e.topic === '/namespaces/delete'));
    expect(about().map((e) => [e.topic, e.event.labels])).toEqual([
      ['/namespaces/create', { a: '1' }],
      ['/namespaces/update', { a: '1', b: '2' }],
      ['/namespaces/update', { b: '2' }],
      ['/namespaces/delete', undefined],
    ]);
  });

  it('keeps a namespace its container made until it is removed, and refuses one in use', async () => {
    const other = d.client.withNamespace('other');
    const started = await run(
      '-n',
      'other',
      'run',
      '-d',
      ...env,
      '--rootfs',
      rootfs,
      'web',
      'sleep',
      '300',
    );
    expect(started.exitCode).toBe(0);
    expect(await names()).toContain('other');
    const inUse = await run('namespaces', 'rm', 'other');
    expect(inUse.exitCode).not.toBe(0);
    expect(inUse.stderr).toContain('namespace "other" must be empty, but it still has containers');
    await other.tasks.kill('web', { signal: 'SIGKILL' });
    await other.tasks.wait('web');
    await other.tasks.delete('web');
    await other.containers.delete('web');
    // Emptied, it stays, as in containerd, until it is removed.
    expect(await names()).toContain('other');
    expect(await run('namespaces', 'rm', 'other')).toMatchObject({ exitCode: 0 });
    expect(await names()).not.toContain('other');
    // The log keeps the container's history after its namespace is gone.
    const history = await other.history('web');
    expect(history).toMatchObject({ namespace: 'other', exists: false });
    expect(history.deleted_at).not.toBeNull();
  });
});
