import { describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import { bundleConfig, validateProcess } from '../../src/runtime/bundle-config.ts';
import { rootfsMounts } from '../../src/runtime/rootfs-source.ts';
import { defaultSpec } from '../../src/domain/default-spec.ts';

const options = {
  rootfs: '/state/bundles/default/web/rootfs',
  cgroupsPath: '/taskledger/abc/default/web',
  terminal: false,
};

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('bundle config', () => {
  it("points root.path at the bundle's rootfs, keeping the rest of root", () => {
    const spec = { ...defaultSpec({ args: ['true'] }), root: { path: 'rootfs', readonly: true } };
    expect(bundleConfig(spec, options).root).toEqual({ path: options.rootfs, readonly: true });
  });

  it('gives the task its own cgroup unless the spec names one', () => {
    const config = bundleConfig(defaultSpec({ args: ['true'] }), options);
    expect((config.linux as Record<string, unknown>).cgroupsPath).toBe(
      '/taskledger/abc/default/web',
    );
    const own = defaultSpec({ args: ['true'] });
    (own.linux as Record<string, unknown>).cgroupsPath = '/mine';
    expect((bundleConfig(own, options).linux as Record<string, unknown>).cgroupsPath).toBe('/mine');
  });

  it('does not modify the spec it was given', () => {
    const spec = defaultSpec({ args: ['true'] });
    const before = JSON.stringify(spec);
    bundleConfig(spec, options);
    expect(JSON.stringify(spec)).toBe(before);
  });

  it('refuses terminal mode from the spec or from the IO', () => {
    const spec = defaultSpec({ args: ['sh'] });
    (spec.process as Record<string, unknown>).terminal = true;
    for (const error of [
      errorOf(() => bundleConfig(spec, options)),
      errorOf(() => bundleConfig(defaultSpec({ args: ['sh'] }), { ...options, terminal: true })),
    ]) {
      expect(isTaskledgerError(error, 'InvalidArgument')).toBe(true);
      expect((error as Error).message).toBe('terminal mode is not supported');
    }
  });

  it('rejects a spec without a process or with empty args', () => {
    expect(
      isTaskledgerError(
        errorOf(() => bundleConfig({}, options)),
        'InvalidArgument',
      ),
    ).toBe(true);
    expect(
      isTaskledgerError(
        errorOf(() => validateProcess({ args: [] }, 'p')),
        'InvalidArgument',
      ),
    ).toBe(true);
    expect(
      isTaskledgerError(
        errorOf(() => validateProcess({ args: ['x', 1] }, 'p')),
        'InvalidArgument',
      ),
    ).toBe(true);
  });
});

describe('rootfs mounts', () => {
  it('uses the mounts the client gave', () => {
    const mounts = [{ type: 'overlay', source: 'overlay', options: ['lowerdir=/l'] }];
    expect(rootfsMounts(mounts, defaultSpec({ args: ['true'] }))).toBe(mounts);
  });

  it('bind-mounts an absolute root.path when there are no mounts, as ctr --rootfs sends', () => {
    const spec = { ...defaultSpec({ args: ['true'] }), root: { path: '/srv/rootfs' } };
    expect(rootfsMounts([], spec)).toEqual([
      { type: 'bind', source: '/srv/rootfs', options: ['rbind'] },
    ]);
  });

  it('rejects a task with neither mounts nor an absolute root.path', () => {
    expect(
      isTaskledgerError(
        errorOf(() => rootfsMounts([], defaultSpec({ args: ['true'] }))),
        'InvalidArgument',
      ),
    ).toBe(true);
  });
});
