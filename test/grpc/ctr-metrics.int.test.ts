import { readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupV1MetricsType } from '../../src/grpc/metrics-handler.ts';
import { busyboxRootfs } from '../helpers/busybox-rootfs.ts';
import { ctr, ctrPathEnv } from './ctr-runner.ts';
import { api, serviceClient, type TestServiceClient } from './grpc-test-client.ts';
import { startGrpcTestDaemon, type GrpcTestDaemon } from './grpc-test-daemon.ts';
import { forceDeleteTasks } from '../helpers/test-daemon.ts';

const env = ctrPathEnv;

/** `ctr tasks metrics`'s table as metric name -> printed value. */
const tableOf = (stdout: string): Map<string, string> =>
  new Map(
    stdout
      .split('\n')
      .map((line) => /^(\S+)\s+(.*?)\s*$/.exec(line))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );

describe('task metrics through the containerd API (Tasks/Metrics) and the stock ctr', () => {
  let d: GrpcTestDaemon;
  let rootfs: string;
  let tasks: TestServiceClient;
  const run = (...args: string[]) => ctr(d.grpcAddress, args);

  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    d = await startGrpcTestDaemon();
    tasks = serviceClient(d.grpcAddress, 'tasks');
  });
  afterAll(async () => {
    tasks.close();
    await forceDeleteTasks(d.client);
    await d.dispose();
  });

  it("prints a running task's cgroup v1 metrics in ctr's table and as JSON", async () => {
    // Two processes, and some memory held, so that each figure has something to show.
    const script = 'head -c 3000000 /dev/zero >/dev/shm/fill; sleep 300 & wait';
    const started = await run('run', '-d', ...env, '--rootfs', rootfs, 'web', 'sh', '-c', script);
    expect(started.exitCode).toBe(0);
    // Ready once head has exited and sleep runs: two processes alone can still be sh and head.
    const commands = async (): Promise<string[]> =>
      (await d.client.tasks.pids('web'))
        .map(({ pid }) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim())
        .sort();
    await expect.poll(commands).toEqual(['sh', 'sleep']);
    const result = await run('tasks', 'metrics', 'web');
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toMatch(
      /^ID\s+TIMESTAMP\s*\nweb\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \+0000 UTC/,
    );
    const table = tableOf(result.stdout);
    expect(Number(table.get('memory.usage_in_bytes'))).toBeGreaterThan(3_000_000);
    expect(Number(table.get('memory.limit_in_bytes'))).toBeGreaterThan(0);
    expect(Number(table.get('memory.stat.cache'))).toBeGreaterThanOrEqual(3_000_000); // /dev/shm
    expect(Number(table.get('cpuacct.usage'))).toBeGreaterThan(0);
    expect(table.get('cpuacct.usage_percpu')).toMatch(/^\[\d+( \d+)*\]$/);
    expect(table.get('pids.current')).toBe('2');
    expect(table.get('pids.limit')).toBe('0');
    const json = await run('tasks', 'metrics', '--format', 'json', 'web');
    expect(JSON.parse(json.stdout)).toMatchObject({ pids: { current: 2 } });
  });

  it('answers filters as containerd does: by id and namespace, and UNKNOWN for a bad one', async () => {
    const all = await tasks.call<{ metrics: { id: string; data: { type_url: string } }[] }>(
      'Metrics',
      { filters: [] },
    );
    expect(all.metrics.map((m) => m.id)).toEqual(['web']);
    expect(all.metrics[0]!.data.type_url).toBe(cgroupV1MetricsType);
    const none = await tasks.call('Metrics', { filters: ['id==other', 'namespace==elsewhere'] });
    expect(none).toEqual({ metrics: [] });
    const viaNamespace = await tasks.call<{ metrics: { data: { value: Uint8Array } }[] }>(
      'Metrics',
      { filters: ['namespace==default'] },
    );
    const decoded = api.decode(cgroupV1MetricsType, viaNamespace.metrics[0]!.data.value);
    expect(decoded).toMatchObject({ pids: { current: 2 } });
    await expect(tasks.call('Metrics', { filters: ['id=='] })).rejects.toMatchObject({
      code: status.UNKNOWN,
    });
  });

  it('has no metrics for a stopped task, and ctr says so', async () => {
    await d.client.tasks.kill('web', { signal: 'SIGKILL', all: true });
    await d.client.tasks.wait('web');
    expect(await tasks.call('Metrics', { filters: ['id==web'] })).toEqual({ metrics: [] });
    const result = await run('tasks', 'metrics', 'web');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('no metrics received');
    await d.client.tasks.delete('web');
    await d.client.containers.delete('web');
  });
});
