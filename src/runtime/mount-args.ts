import type { Mount } from '../ports/runtime.ts';

/**
 * argv for util-linux `mount` that mounts `mount` at `target`, as containerd's `mount.Mount`
 * would: `mount -t TYPE -o OPTIONS -- SOURCE TARGET`. A `bind` mount without `bind` or `rbind`
 * in its options gets `rbind`, because the kernel knows no filesystem called "bind".
 */
export function mountArgs(mount: Mount, target: string): string[] {
  if (mount.type === '' || mount.source === '') {
    throw new RangeError('a rootfs mount needs a type and a source');
  }
  const options = [...mount.options];
  if (mount.type === 'bind' && !options.includes('bind') && !options.includes('rbind'))
    options.push('rbind');
  return [
    '-t',
    mount.type,
    ...(options.length > 0 ? ['-o', options.join(',')] : []),
    '--',
    mount.source,
    target,
  ];
}

/** argv for util-linux `umount` that unmounts `target` and everything below it (`--recursive`). */
export const umountArgs = (target: string, lazy: boolean): string[] => [
  '--recursive',
  ...(lazy ? ['--lazy'] : []),
  '--',
  target,
];
