import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../../src/domain/default-spec.ts';

describe('default OCI spec', () => {
  const spec = defaultSpec({ args: ['sleep', '10'] });
  const process = spec.process as Record<string, unknown>;
  const linux = spec.linux as Record<string, unknown>;

  it('runs the command without a terminal, as root, in /', () => {
    expect(process.args).toEqual(['sleep', '10']);
    expect(process.terminal).toBe(false);
    expect(process.user).toEqual({ uid: 0, gid: 0 });
    expect(process.cwd).toBe('/');
  });

  it('isolates pid, ipc, uts, mount and network like runc spec', () => {
    expect((linux.namespaces as { type: string }[]).map((n) => n.type).sort()).toEqual([
      'ipc',
      'mount',
      'network',
      'pid',
      'uts',
    ]);
  });

  it('keeps every rlimit at or below 1024, which hosts without CAP_SYS_RESOURCE allow', () => {
    for (const limit of process.rlimits as { hard: number; soft: number }[]) {
      expect(limit.hard).toBeLessThanOrEqual(1024);
      expect(limit.soft).toBeLessThanOrEqual(limit.hard);
    }
  });

  it('sets PATH, lets extra env replace it, and takes cwd and hostname', () => {
    expect(process.env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ]);
    const custom = defaultSpec({
      args: ['x'],
      env: ['PATH=/bin', 'A=1'],
      cwd: '/tmp',
      hostname: 'box',
    });
    expect((custom.process as Record<string, unknown>).env).toEqual(['PATH=/bin', 'A=1']);
    expect((custom.process as Record<string, unknown>).cwd).toBe('/tmp');
    expect(custom.hostname).toBe('box');
  });

  it('mounts proc, dev, sys and cgroup like runc spec, with a relative root', () => {
    expect((spec.mounts as { destination: string }[]).map((m) => m.destination)).toEqual([
      '/proc',
      '/dev',
      '/dev/pts',
      '/dev/shm',
      '/dev/mqueue',
      '/sys',
      '/sys/fs/cgroup',
    ]);
    expect(spec.root).toEqual({ path: 'rootfs', readonly: false });
  });

  it('returns a fresh object each time and copies the args', () => {
    const args = ['a'];
    const one = defaultSpec({ args });
    args.push('b');
    expect((one.process as Record<string, unknown>).args).toEqual(['a']);
    expect(defaultSpec({ args: ['a'] })).not.toBe(one);
  });

  it('rejects an empty command', () => {
    expect(() => defaultSpec({ args: [] })).toThrow(RangeError);
  });
});
