import { describe, expect, it } from 'vitest';
import { createRuntimeLayout } from '../../src/runtime/runtime-layout.ts';

describe('runtime layout', () => {
  const layout = createRuntimeLayout('/var/lib/taskledger/');

  it('keeps a runc root and a bundle directory per namespace', () => {
    expect(layout.runcRoot('default')).toBe('/var/lib/taskledger/runc/default');
    expect(layout.task('prod', 'web').bundle).toBe('/var/lib/taskledger/bundles/prod/web');
    expect(layout.task('prod', 'web').rootfs).toBe('/var/lib/taskledger/bundles/prod/web/rootfs');
    expect(layout.task('prod', 'web').config).toBe(
      '/var/lib/taskledger/bundles/prod/web/config.json',
    );
  });

  it('gives the init process and each exec a monitor directory with fixed file names', () => {
    const task = layout.task('prod', 'web');
    expect(task.init.dir).toBe('/var/lib/taskledger/bundles/prod/web/init');
    expect(task.init.exitFile).toBe('/var/lib/taskledger/bundles/prod/web/init/exit');
    expect(task.init.oomFile).toBe('/var/lib/taskledger/bundles/prod/web/init/oom');
    expect(task.exec('sh-1').dir).toBe('/var/lib/taskledger/bundles/prod/web/execs/sh-1');
    expect(task.exec('sh-1').processFile).toBe(
      '/var/lib/taskledger/bundles/prod/web/execs/sh-1/process.json',
    );
  });

  it('keeps attach-socket paths short however long the ids are', () => {
    const long = 'x'.repeat(76);
    const socket = `${layout.socketDir}/${layout.task(long, long).exec(long).monitorId}/attach`;
    expect(Buffer.byteLength(socket)).toBeLessThan(108);
  });

  it('gives equal ids distinct monitor ids and cgroups across namespaces and state directories', () => {
    const other = createRuntimeLayout('/tmp/other-state');
    const ids = new Set([
      layout.task('a', 'web').init.monitorId,
      layout.task('b', 'web').init.monitorId,
      layout.task('a', 'web').exec('web2').monitorId,
      other.task('a', 'web').init.monitorId,
    ]);
    expect(ids.size).toBe(4);
    expect(layout.cgroupsPath('a', 'web')).not.toBe(layout.cgroupsPath('b', 'web'));
    expect(layout.cgroupsPath('a', 'web')).not.toBe(other.cgroupsPath('a', 'web'));
    expect(layout.cgroupsPath('a', 'web')).toMatch(/^\/taskledger\/[0-9a-f]{12}\/a\/web$/);
  });
});
