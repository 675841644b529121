import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { isLiveState, parseProcessStat } from '../../src/runtime/process-stat.ts';

/** Ids runc lists under a taskledger state dir's runc root for a namespace. */
export async function runcContainers(stateDir: string, namespace = 'default'): Promise<string[]> {
  const root = join(stateDir, 'runc', namespace);
  if (!existsSync(root)) return [];
  const { stdout } = await execa('runc', ['--root', root, 'list', '--format', 'json'], {
    timeout: 10_000,
  });
  const list = JSON.parse(stdout || 'null') as { id: string }[] | null;
  return (list ?? []).map((c) => c.id);
}

/** Mount points under `dir` (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(dir));
}

/** Bundle directories left for a namespace. */
export function bundlesLeft(stateDir: string, namespace = 'default'): string[] {
  const dir = join(stateDir, 'bundles', namespace);
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Live (not zombie) conmon processes, with their command lines. */
function liveConmons(): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (basename(cmdline.split('\0')[0] ?? '') !== 'conmon') continue;
      if (isLiveState(parseProcessStat(readFileSync(`/proc/${entry}/stat`, 'utf8'))))
        found.push({ pid: Number(entry), cmdline });
    } catch {
      // the process went away while we looked
    }
  }
  return found;
}

/** Pids of live (not zombie) conmon processes whose command line mentions `needle`. */
export const monitorsMentioning = (needle: string): number[] =>
  liveConmons()
    .filter((c) => c.cmdline.includes(needle))
    .map((c) => c.pid);

/**
 * Pids of live conmons monitoring a process of one task: their command line names its bundle,
 * or they work in it (a standby monitor's command line names its slot, see standby-monitors.ts).
 */
export function monitorsOfTask(stateDir: string, id: string, namespace = 'default'): number[] {
  const bundle = `${join(stateDir, 'bundles', namespace, id)}/`;
  return liveConmons()
    .filter((c) => c.cmdline.includes(bundle) || cwdOf(c.pid).startsWith(bundle))
    .map((c) => c.pid);
}

const cwdOf = (pid: number): string => {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return '';
  }
};

/**
 * Whether `pid` is a standby monitor no task has claimed: its working directory is a slot under
 * `stateDir`'s standby slots (a claimed one works in its task's bundle). Those are the runtime's
 * own until it closes.
 */
export function isUnclaimedStandby(pid: number, stateDir: string): boolean {
  return cwdOf(pid).startsWith(`${join(stateDir, 'standby', 'slots')}/`);
}

/**
 * conmon's attach-socket links left in the state directory's socket directory, but for those of
 * standby monitors no task has claimed: their link leads to a slot that is still a directory.
 */
export function socketLinksLeft(stateDir: string): string[] {
  const dir = join(stateDir, 'sockets');
  const slots = `${join(stateDir, 'standby', 'slots')}/`;
  const unclaimed = (name: string): boolean => {
    try {
      const target = readlinkSync(join(dir, name));
      return target.startsWith(slots) && lstatSync(target).isDirectory();
    } catch {
      return false;
    }
  };
  return existsSync(dir) ? readdirSync(dir).filter((name) => !unclaimed(name)) : [];
}
