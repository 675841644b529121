import { describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import { bundleConfig, validateProcess } from '../../src/runtime/bundle-config.ts';
import { rootfsPlan } from '../../src/runtime/rootfs-source.ts';
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

  it('makes the root read-only when asked, and never writable when the spec says read-only', () => {
    const spec = defaultSpec({ args: ['true'] });
    expect(bundleConfig(spec, { ...options, readonly: true }).root).toMatchObject({
      readonly: true,
    });
    const readonlySpec = { ...spec, root: { path: 'rootfs', readonly: true } };
    expect(bundleConfig(readonlySpec, { ...options, readonly: false }).root).toMatchObject({
      readonly: true,
    });
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

  it("sets process.terminal from the IO's terminal flag, whatever the spec said", () => {
    const terminalOf = (config: Record<string, unknown>): unknown =>
      (config.process as Record<string, unknown>).terminal;
    const spec = defaultSpec({ args: ['sh'] });
    (spec.process as Record<string, unknown>).terminal = true;
    expect(terminalOf(bundleConfig(spec, options))).toBe(false);
    expect(
      terminalOf(bundleConfig(defaultSpec({ args: ['sh'] }), { ...options, terminal: true })),
    ).toBe(true);
    expect((bundleConfig(spec, options).process as Record<string, unknown>).args).toEqual(['sh']);
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

describe('rootfs plan', () => {
  const spec = defaultSpec({ args: ['true'] });

  it('mounts what the client gave when it is more than a plain directory', () => {
    const overlay = [{ type: 'overlay', source: 'overlay', options: ['lowerdir=/l'] }];
    expect(rootfsPlan(overlay, spec)).toEqual({ kind: 'mounts', mounts: overlay });
    const nonRecursive = [{ type: 'bind', source: '/srv/rootfs', options: ['bind'] }];
    expect(rootfsPlan(nonRecursive, spec).kind).toBe('mounts');
    const shared = [{ type: 'bind', source: '/srv/rootfs', options: ['rbind', 'rshared'] }];
    expect(rootfsPlan(shared, spec).kind).toBe('mounts');
    const two = [
      { type: 'bind', source: '/a', options: ['rbind'] },
      { type: 'bind', source: '/b', options: ['rbind'] },
    ];
    expect(rootfsPlan(two, spec).kind).toBe('mounts');
  });

  it('hands runc a recursive bind of a directory as root.path, keeping read-only', () => {
    expect(
      rootfsPlan([{ type: 'bind', source: '/srv/r', options: ['rbind', 'rw'] }], spec),
    ).toEqual({ kind: 'directory', path: '/srv/r', readonly: false });
    expect(
      rootfsPlan([{ type: 'bind', source: '/srv/r', options: ['rbind', 'ro'] }], spec),
    ).toEqual({ kind: 'directory', path: '/srv/r', readonly: true });
    const readonlySpec = { ...spec, root: { path: 'rootfs', readonly: true } };
    expect(
      rootfsPlan([{ type: 'bind', source: '/srv/r', options: ['rbind'] }], readonlySpec),
    ).toEqual({ kind: 'directory', path: '/srv/r', readonly: true });
  });

  it('takes an absolute root.path when there are no mounts, as ctr --rootfs sends', () => {
    const withRoot = { ...spec, root: { path: '/srv/rootfs' } };
    expect(rootfsPlan([], withRoot)).toEqual({
      kind: 'directory',
      path: '/srv/rootfs',
      readonly: false,
    });
  });

  it('rejects a task with neither mounts nor an absolute root.path', () => {
    expect(
      isTaskledgerError(
        errorOf(() => rootfsPlan([], spec)),
        'InvalidArgument',
      ),
    ).toBe(true);
  });
});
