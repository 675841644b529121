import { execa } from 'execa';

/** A pid that certainly belongs to no live process: a child that has exited and been reaped. */
export async function reapedPid(): Promise<number> {
  const child = execa('true');
  await child;
  return child.pid!;
}
