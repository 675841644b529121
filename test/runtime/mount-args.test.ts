import { describe, expect, it } from 'vitest';
import { mountArgs, umountArgs } from '../../src/runtime/mount-args.ts';
import { mountPoints } from '../../src/runtime/rootfs-mounts.ts';

describe('mount argv builders', () => {
  it('mounts an overlay with its options joined', () => {
    expect(
      mountArgs(
        {
          type: 'overlay',
          source: 'overlay',
          options: ['lowerdir=/l', 'upperdir=/u', 'workdir=/w'],
        },
        '/b/rootfs',
      ),
    ).toEqual([
      '-t',
      'overlay',
      '-o',
      'lowerdir=/l,upperdir=/u,workdir=/w',
      '--',
      'overlay',
      '/b/rootfs',
    ]);
  });

  it('keeps the bind options given', () => {
    expect(mountArgs({ type: 'bind', source: '/src', options: ['rbind', 'ro'] }, '/t')).toEqual([
      '-t',
      'bind',
      '-o',
      'rbind,ro',
      '--',
      '/src',
      '/t',
    ]);
  });

  it('adds rbind to a bind mount that lacks it', () => {
    expect(mountArgs({ type: 'bind', source: '/src', options: [] }, '/t')).toEqual([
      '-t',
      'bind',
      '-o',
      'rbind',
      '--',
      '/src',
      '/t',
    ]);
  });

  it('omits -o when there are no options', () => {
    expect(mountArgs({ type: 'tmpfs', source: 'tmpfs', options: [] }, '/t')).toEqual([
      '-t',
      'tmpfs',
      '--',
      'tmpfs',
      '/t',
    ]);
  });

  it('rejects a mount without type or source', () => {
    expect(() => mountArgs({ type: '', source: '/x', options: [] }, '/t')).toThrow(RangeError);
    expect(() => mountArgs({ type: 'bind', source: '', options: [] }, '/t')).toThrow(RangeError);
  });

  it('unmounts recursively, lazily only when asked', () => {
    expect(umountArgs('/t', false)).toEqual(['--recursive', '--', '/t']);
    expect(umountArgs('/t', true)).toEqual(['--recursive', '--lazy', '--', '/t']);
  });

  it('reads mount points from mountinfo, undoing octal escapes', () => {
    const mountinfo = [
      '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
      '41 22 254:0 /tmp/rf /state/bundles/default/my\\040task/rootfs rw,relatime - ext4 /dev/vda rw',
      '',
    ].join('\n');
    expect(mountPoints(mountinfo)).toEqual(['/', '/state/bundles/default/my task/rootfs']);
  });
});
