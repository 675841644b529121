import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** Pids of live (not zombie) conmon processes whose command line mentions `needle`. */
export function monitorsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const argv0 = cmdline.split('\0')[0] ?? '';
      if (basename(argv0) !== 'conmon' || !cmdline.includes(needle)) continue;
      if (isLiveState(parseProcessStat(readFileSync(`/proc/${entry}/stat`, 'utf8'))))
        pids.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return pids;
}
