import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { failedPrecondition, TaskledgerError } from '../domain/errors.ts';
import type { Mount } from '../ports/runtime.ts';
import { mountArgs, umountArgs } from './mount-args.ts';
import type { SubprocessRunner } from './subprocess-runner.ts';

const commandTimeoutMs = 30_000;

/**
 * Mounts `mounts` in order at `target` (later ones stack on earlier ones, as containerd does)
 * with util-linux `mount`. When one fails, the ones already mounted are unmounted again and a
 * FailedPrecondition carries mount's own message ("special device /x does not exist").
 */
export async function mountRootfs(
  mounts: readonly Mount[],
  target: string,
  runner: SubprocessRunner,
): Promise<void> {
  for (const mount of mounts) {
    const outcome = await runner.run({
      file: 'mount',
      args: mountArgs(mount, target),
      timeoutMs: commandTimeoutMs,
    });
    if (!outcome.failed) continue;
    await unmountRootfs(target, runner).catch(() => undefined);
    // mount's first line is the reason; the second only points at dmesg.
    const detail = outcome.stderr.trim().split('\n')[0] || outcome.shortMessage;
    throw new TaskledgerError(
      'FailedPrecondition',
      `mounting rootfs (${mount.type} ${mount.source}) at ${target}: ${detail}`,
    );
  }
}

/**
 * Unmounts everything at or below `target`; a no-op when nothing is mounted there. Falls back to
 * a lazy unmount when the mount is busy, so recovery can always remove the bundle afterwards.
 */
export async function unmountRootfs(target: string, runner: SubprocessRunner): Promise<void> {
  // Nothing can be mounted at or below a path that does not exist (a plain-directory rootfs has
  // no mount point): no need to read the mount table.
  if (!existsSync(target) || !(await hasMountsAt(target))) return;
  const outcome = await runner.run({
    file: 'umount',
    args: umountArgs(target, false),
    timeoutMs: commandTimeoutMs,
  });
  if (outcome.failed)
    await runner.run({
      file: 'umount',
      args: umountArgs(target, true),
      timeoutMs: commandTimeoutMs,
    });
  if (await hasMountsAt(target)) throw failedPrecondition(`could not unmount ${target}`);
}

/** Whether /proc/self/mountinfo lists a mount at `target` or below it. */
export async function hasMountsAt(target: string): Promise<boolean> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountPoints(mountinfo).some((point) => point === target || point.startsWith(`${target}/`));
}

/** The mount points in a mountinfo text (field 5), with the kernel's octal escapes (`\040`) undone. */
export function mountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined && field !== '')
    .map((field) =>
      field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
    );
}
