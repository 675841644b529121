import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { defaultSpec, type DefaultSpecOptions } from '../../src/domain/default-spec.ts';
import type { Mount } from '../../src/ports/runtime.ts';

/** Where the test rootfs is cached, shared by all test processes of a machine. */
export const busyboxRootfsDir = '/tmp/taskledger-test-rootfs';

const buildScript = fileURLToPath(new URL('../../scripts/build-rootfs.sh', import.meta.url));
// build-rootfs.sh writes etc/hostname last: its presence means a complete build.
const completeMarker = `${busyboxRootfsDir}/etc/hostname`;

let building: Promise<string> | undefined;

/**
 * Path of a busybox rootfs built by scripts/build-rootfs.sh, once per machine: a process builds
 * into a private directory and renames it into place, so parallel test files never see (or run
 * the script on) a half-built tree.
 */
export function busyboxRootfs(): Promise<string> {
  building ??= (async () => {
    if (existsSync(completeMarker)) return busyboxRootfsDir;
    const scratch = await mkdtemp(`${busyboxRootfsDir}.build-`);
    try {
      await execa('bash', [buildScript, scratch], { timeout: 60_000 });
      await rename(scratch, busyboxRootfsDir).catch(() => undefined); // someone else won the race
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    if (!existsSync(completeMarker)) throw new Error(`building ${busyboxRootfsDir} failed`);
    return busyboxRootfsDir;
  })();
  return building;
}

/**
 * Rootfs mounts for a task on the shared busybox tree: a read-only recursive bind, so one test's
 * container can never alter another's rootfs. (Tests that write use an overlay instead.)
 */
export async function busyboxMounts(): Promise<Mount[]> {
  return [{ type: 'bind', source: await busyboxRootfs(), options: ['rbind', 'ro'] }];
}

/** An overlay of the busybox tree with a writable upper layer under `scratchDir`. */
export async function busyboxOverlay(scratchDir: string): Promise<Mount[]> {
  const lower = await busyboxRootfs();
  await execa('mkdir', ['-p', `${scratchDir}/upper`, `${scratchDir}/work`], { timeout: 5_000 });
  return [
    {
      type: 'overlay',
      source: 'overlay',
      options: [`lowerdir=${lower}`, `upperdir=${scratchDir}/upper`, `workdir=${scratchDir}/work`],
    },
  ];
}

/** The default OCI spec (src/domain/default-spec.ts) for a command, e.g. `specFor(['sleep', '30'])`. */
export const specFor = (
  args: readonly string[],
  options: Omit<DefaultSpecOptions, 'args'> = {},
): Record<string, unknown> => defaultSpec({ ...options, args });
