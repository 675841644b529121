// Measures what monitoring costs per task: starts N `sleep` tasks (default 20) with the runc
// runtime, reads each conmon's VmRSS and RssAnon (/proc/<pid>/status) and PSS (smaps_rollup),
// prints the medians in MB, then deletes the tasks. Run as root: npx tsx scripts/bench-monitor-memory.ts [N]
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { defaultSpec } from '../src/domain/default-spec.ts';
import { createSystemClock } from '../src/platform/system-clock.ts';
import type { RuntimeTask } from '../src/ports/runtime.ts';
import { readPidFile } from '../src/runtime/monitor-files.ts';
import { createRuncRuntime } from '../src/runtime/runc-runtime.ts';
import { createRuntimeLayout } from '../src/runtime/runtime-layout.ts';
import { median, statusFieldMb } from './bench/stats.ts';

const count = Number(process.argv[2] ?? 20);
if (!Number.isInteger(count) || count < 1)
  throw new Error('usage: bench-monitor-memory.ts [N >= 1]');

const rootfs = path.join(tmpdir(), 'taskledger-bench-rootfs');
const buildScript = fileURLToPath(new URL('build-rootfs.sh', import.meta.url));
await execa('bash', [buildScript, rootfs], { timeout: 60_000 });

const stateDir = await mkdtemp(path.join(tmpdir(), 'taskledger-bench-monitor-'));
const layout = createRuntimeLayout(stateDir);
const runtime = await createRuncRuntime({ stateDir, clock: createSystemClock() });
const tasks: RuntimeTask[] = [];

/** A kB field of a /proc file (`VmRSS` of status, `Pss` of smaps_rollup) in MB. */
function procFieldMb(pid: number, file: string, field: string): number {
  const mb = statusFieldMb(readFileSync(`/proc/${pid}/${file}`, 'utf8'), field);
  if (mb === undefined) throw new Error(`no ${field} in /proc/${pid}/${file}`);
  return mb;
}

try {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const task = await runtime.create(`sleep-${i}`, {
      namespace: 'bench',
      spec: defaultSpec({ args: ['sleep', '3600'] }),
      rootfs: [{ type: 'bind', source: rootfs, options: ['rbind', 'ro'] }],
      io: { terminal: false },
    });
    tasks.push(task);
    await task.start();
  }
  const elapsedMs = performance.now() - started;
  const rss: number[] = [];
  const anon: number[] = [];
  const pss: number[] = [];
  for (const task of tasks) {
    const pid = await readPidFile(layout.task(task.namespace, task.id).init.conmonPidFile);
    if (pid === undefined) throw new Error(`no conmon pid for ${task.id}`);
    rss.push(procFieldMb(pid, 'status', 'VmRSS'));
    anon.push(procFieldMb(pid, 'status', 'RssAnon'));
    pss.push(procFieldMb(pid, 'smaps_rollup', 'Pss')); // proportional set size
  }
  console.log(`tasks: ${count} (created and started in ${(elapsedMs / 1000).toFixed(1)} s)`);
  console.log(
    `monitor (conmon) VmRSS median: ${median(rss).toFixed(2)} MB (min ${Math.min(...rss).toFixed(2)}, max ${Math.max(...rss).toFixed(2)})`,
  );
  console.log(`monitor (conmon) RssAnon median: ${median(anon).toFixed(2)} MB`);
  // PSS splits pages shared between the conmons (libc, glib) among them: the memory one more
  // task really costs. RSS counts those shared pages again for every conmon.
  const pssMedian = median(pss);
  console.log(
    `monitor (conmon) PSS median: ${pssMedian.toFixed(2)} MB per task (target <= 2 MB: ${pssMedian <= 2 ? 'met' : 'MISSED'})`,
  );
} finally {
  for (const task of tasks) {
    await task.kill(9).catch(() => undefined);
  }
  for (const task of tasks) {
    for (let tries = 0; tries < 200 && (await task.exit()) === undefined; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await runtime
      .delete(task)
      .catch((error: unknown) => console.error(`delete ${task.id}:`, error));
  }
  await runtime.close();
  await rm(stateDir, { recursive: true, force: true });
}
