/**
 * Snapshot benchmark: imports one base image (the busybox rootfs plus a filler file, so a copy
 * would show), creates containers from it through the API and prints the time per create and
 * the disk the snapshots take: overlay prepare makes three empty directories and copies nothing,
 * so 100 containers should cost kilobytes, not 100 bases. A few of them then run a real task
 * on their overlay rootfs, to show the mounts work.
 * Usage: tsx scripts/bench-snapshots.ts [--containers 100] [--pad-mb 64] [--run 5]
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { connect } from '../src/api/client.ts';
import { startDaemon } from '../src/daemon/daemon.ts';
import { defaultSpec } from '../src/domain/default-spec.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : fallback;
};
const count = Number(option('containers', '100'));
const padMb = Number(option('pad-mb', '64'));
const runs = Number(option('run', '5'));

const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const ms = (x: number): string => `${x.toFixed(2)} ms`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;

/** Bytes of disk `dir` takes (blocks allocated, as `du` counts them, hard links once). */
async function du(dir: string): Promise<number> {
  const { stdout } = await execa('du', ['-s', '-B1', dir]);
  return Number(stdout.split('\t')[0]);
}

async function main(): Promise<void> {
  const rootfs = process.env.TASKLEDGER_ROOTFS ?? join(repo, '.cache', 'rootfs');
  if (!existsSync(join(rootfs, 'bin', 'busybox'))) {
    await execa('bash', [join(repo, 'scripts', 'build-rootfs.sh'), rootfs], { stdio: 'inherit' });
  }
  const work = mkdtempSync(join(tmpdir(), 'taskledger-bench-snapshots-'));
  const base = join(work, 'base');
  cpSync(rootfs, base, { recursive: true, verbatimSymlinks: true });
  // Incompressible filler: a copy of the base per container would be impossible to miss.
  if (padMb > 0) {
    const chunk = Buffer.alloc(1024 * 1024);
    const filler = join(base, 'filler.bin');
    writeFileSync(filler, '');
    for (let i = 0; i < padMb; i++) {
      for (let j = 0; j < chunk.length; j += 4)
        chunk.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, j);
      writeFileSync(filler, chunk, { flag: 'a' });
    }
  }
  const root = join(work, 'root');
  const address = join(work, 'api.sock');
  const daemon = await startDaemon({
    root,
    state: join(work, 'state'),
    address,
    log: () => undefined,
  });
  const client = connect(address, { client: 'bench-snapshots' });
  try {
    const snapshots = join(root, 'snapshots');
    let started = performance.now();
    const image = await client.images.import(base, 'bench-base');
    const importMs = performance.now() - started;
    const baseDisk = await du(snapshots);
    console.log(
      `base: ${mb(image.size)} of files, imported in ${ms(importMs)}, ${mb(baseDisk)} on disk`,
    );

    const times: number[] = [];
    const spec = defaultSpec({ args: ['sh', '-c', 'echo $HOSTNAME > /who && cat /who'] });
    started = performance.now();
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await client.containers.create({ id: `c${i}`, spec, image: 'bench-base' });
      times.push(performance.now() - t0);
    }
    const total = performance.now() - started;
    const afterDisk = await du(snapshots);
    const perContainer = (afterDisk - baseDisk) / count;
    console.log(
      `create from image: ${count} containers in ${ms(total)}; median ${ms(percentile(times, 0.5))}, p95 ${ms(percentile(times, 0.95))}, max ${ms(Math.max(...times))}`,
    );
    console.log(
      `snapshots dir: ${mb(afterDisk)} after ${count} creates (+${mb(afterDisk - baseDisk)}, ${(perContainer / 1024).toFixed(1)} KiB per container); a copy per container would be ~${mb(baseDisk * count)}`,
    );

    const taskTimes: number[] = [];
    for (let i = 0; i < Math.min(runs, count); i++) {
      const t0 = performance.now();
      await client.tasks.create(`c${i}`);
      await client.tasks.start(`c${i}`);
      const exit = await client.tasks.wait(`c${i}`);
      taskTimes.push(performance.now() - t0);
      if (exit.exit_status !== 0) throw new Error(`task c${i} exited ${exit.exit_status}`);
      await client.tasks.delete(`c${i}`);
    }
    if (taskTimes.length > 0) {
      console.log(
        `task on an overlay rootfs (create+start+exit): median ${ms(percentile(taskTimes, 0.5))} over ${taskTimes.length}`,
      );
    }
    const written = await du(snapshots);
    console.log(`snapshots dir after ${taskTimes.length} tasks wrote a file each: ${mb(written)}`);

    started = performance.now();
    for (let i = 0; i < count; i++) await client.containers.delete(`c${i}`);
    await client.images.delete('bench-base');
    console.log(`deleted ${count} containers and the image in ${ms(performance.now() - started)}`);
  } finally {
    await daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
