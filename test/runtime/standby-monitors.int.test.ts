import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import { createSystemClock } from '../../src/platform/system-clock.ts';
import { createRuncRuntime } from '../../src/runtime/runc-runtime.ts';
import { createRuntimeLayout } from '../../src/runtime/runtime-layout.ts';
import { busyboxMounts, specFor } from '../helpers/busybox-rootfs.ts';
import { monitorsMentioning } from '../helpers/leftovers.ts';
import {
  eventually,
  expectNothingLeft as expectNoTrace,
  findLeftovers,
  initExit,
  withRuntimeFixture,
  type RuntimeFixture,
} from './runtime-fixture.ts';

let fx: RuntimeFixture;
withRuntimeFixture('standby', (created) => (fx = created), { standbyMonitors: 1 });

const slotsDir = (): string => path.join(fx.stateDir, 'standby', 'slots');
/** The slot names a task's bundle says it came from ('' when an ordinary conmon made it). */
const markerOf = (id: string, namespace = 'default'): string => {
  const marker = createRuntimeLayout(fx.stateDir).task(namespace, id).standbyMarker;
  return existsSync(marker) ? readFileSync(marker, 'utf8') : '';
};
const runcState = async (id: string, namespace = 'default') =>
  JSON.parse(
    (
      await execa('runc', ['--root', path.join(fx.stateDir, 'runc', namespace), 'state', id], {
        timeout: 10_000,
      })
    ).stdout,
  ) as { id: string; status: string; bundle: string; pid: number };

const expectNothingLeft = async (): Promise<void> => {
  await expectNoTrace(fx.stateDir);
  // Only unclaimed slots (directories) are left: a claimed slot's symlink goes with its task.
  for (const name of readdirSync(slotsDir()))
    expect(lstatSync(path.join(slotsDir(), name)).isDirectory()).toBe(true);
  expect(readdirSync(path.join(fx.stateDir, 'standby', 'runc'))).toEqual([]);
};

describe('standby monitors (real runc + conmon)', () => {
  it('makes a task from a ready standby that runc then knows by its own id and bundle', async () => {
    await fx.standbyReady();
    const [slot] = readdirSync(slotsDir());
    const task = await fx.create('warm', ['sh', '-c', 'echo from-standby; exit 3']);
    expect(markerOf('warm')).toBe(slot);
    expect(fx.runtime.standbyStatus?.()).toMatchObject({ target: 1, ready: 0 });
    expect(lstatSync(path.join(slotsDir(), slot!)).isSymbolicLink()).toBe(true);
    const state = await runcState('warm');
    expect(state).toMatchObject({ id: 'warm', status: 'created', pid: task.pid });
    expect(state.bundle).toBe(task.bundle);
    expect(await task.status()).toBe('created');
    await task.start();
    expect(await fx.nextEvent(initExit('warm'))).toMatchObject({ status: 3, pid: task.pid });
    expect(readFileSync(path.join(task.bundle, 'init', 'log'), 'utf8')).toMatch(
      / stdout F from-standby\n$/,
    );
    // The spec runc read is there for later readers (an exec takes the process from it).
    expect(JSON.parse(readFileSync(path.join(task.bundle, 'config.json'), 'utf8'))).toMatchObject({
      process: { args: ['sh', '-c', 'echo from-standby; exit 3'] },
    });
    expect(await fx.runtime.delete(task)).toMatchObject({ status: 3 });
    await expectNothingLeft();
    // A lifecycle ended: the next standby is prepared.
    await fx.standbyReady();
  });

  it('serves exec, pause, resume, metrics and kill on a task a standby made', async () => {
    await fx.standbyReady();
    const task = await fx.create('warm-sleeper', ['sleep', '60']);
    expect(markerOf('warm-sleeper')).not.toBe('');
    await task.start();
    const exec = await task.exec('probe', { args: ['sh', '-c', 'exit 4'] }, { terminal: false });
    await exec.start();
    expect(await fx.nextEvent((e) => e.type === 'exit' && e.execId === 'probe')).toMatchObject({
      status: 4,
    });
    await task.pause();
    expect(await task.status()).toBe('paused');
    await task.resume();
    expect((await task.metrics()).pids.current).toBeGreaterThan(0);
    await task.kill(9);
    expect(await fx.nextEvent(initExit('warm-sleeper'))).toMatchObject({ status: 137 });
    await fx.runtime.delete(task);
    await expectNothingLeft();
  });

  it("fails with runc's own message on a standby, leaving nothing of the task or its slot", async () => {
    await fx.standbyReady();
    const [slot] = readdirSync(slotsDir());
    const error: unknown = await fx.create('warm-fail', ['nosuchcmd']).catch((e: unknown) => e);
    expect(isTaskledgerError(error, 'FailedPrecondition')).toBe(true);
    expect((error as Error).message).toContain('exec: "nosuchcmd": executable file not found');
    expect(existsSync(path.join(slotsDir(), slot!))).toBe(false);
    await expectNothingLeft();
    await fx.standbyReady();
  });

  it('writes a spec larger than a pipe holds into the standby', async () => {
    await fx.standbyReady();
    // Four variables: one string over 128 KiB would exceed what execve takes.
    const spec = specFor(['sh', '-c', 'echo $((${#A} + ${#B} + ${#C} + ${#D}))']);
    const process = spec.process as { env: string[] };
    process.env = [
      ...process.env,
      ...['A', 'B', 'C', 'D'].map((k) => `${k}=${'x'.repeat(50_000)}`),
    ];
    const task = await fx.create('warm-big', [], { spec });
    expect(markerOf('warm-big')).not.toBe('');
    await task.start();
    expect(await fx.nextEvent(initExit('warm-big'))).toMatchObject({ status: 0 });
    expect(readFileSync(path.join(task.bundle, 'init', 'log'), 'utf8')).toContain(
      'stdout F 200000\n',
    );
    await fx.runtime.delete(task);
    await expectNothingLeft();
  });

  it('leaves tasks with a terminal or create-time hooks to an ordinary conmon', async () => {
    await fx.standbyReady();
    const hooked = specFor(['true']);
    hooked.hooks = { createRuntime: [{ path: '/bin/true' }] };
    const task = await fx.create('hooked', [], { spec: hooked });
    expect(markerOf('hooked')).toBe('');
    expect(fx.runtime.standbyStatus?.().ready).toBe(1);
    const tty = await fx.create('tty', ['true'], { io: { terminal: true } });
    expect(markerOf('tty')).toBe('');
    for (const t of [task, tty]) await fx.runtime.delete(t);
    await expectNothingLeft();
  });

  it('passes over a standby whose conmon died, and makes the task the ordinary way', async () => {
    await fx.standbyReady();
    const [slot] = readdirSync(slotsDir());
    const layout = createRuntimeLayout(fx.stateDir);
    const conmon = Number(readFileSync(layout.standbySlot(slot!).init.conmonPidFile, 'utf8'));
    process.kill(conmon, 'SIGKILL');
    await eventually(() => expect(monitorsMentioning(slot!)).toEqual([]));
    const task = await fx.create('after-death', ['sh', '-c', 'exit 6']);
    expect(markerOf('after-death')).toBe('');
    await task.start();
    expect(await fx.nextEvent(initExit('after-death'))).toMatchObject({ status: 6 });
    await fx.runtime.delete(task);
    // The dead one's slot is gone, and its runc with it (it read EOF).
    await eventually(() => expect(readdirSync(slotsDir())).not.toContain(slot));
    await expectNothingLeft();
    await fx.standbyReady();
  });

  it('keeps a standby for the next create when the id is taken, and refuses the create', async () => {
    const first = await fx.create('taken', ['sleep', '60']);
    await fx.standbyReady();
    const error: unknown = await fx.create('taken', ['true']).catch((e: unknown) => e);
    expect(isTaskledgerError(error, 'AlreadyExists')).toBe(true);
    expect(fx.runtime.standbyStatus?.().ready).toBe(1);
    await fx.runtime.delete(first);
    await expectNothingLeft();
  });
});

describe('standby monitors across runtime restarts', () => {
  const clock = createSystemClock();

  it('ends its standbys on close, and keeps none with standbyMonitors 0', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'taskledger-standby-close-'));
    try {
      const runtime = await createRuncRuntime({ stateDir, clock });
      await eventually(() => expect(runtime.standbyStatus?.().ready).toBe(1), 10_000);
      expect(monitorsMentioning(stateDir)).toHaveLength(1);
      await runtime.close();
      expect(monitorsMentioning(stateDir)).toEqual([]);
      expect(readdirSync(path.join(stateDir, 'standby', 'slots'))).toEqual([]);
      const none = await createRuncRuntime({ stateDir, clock, standbyMonitors: 0 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(none.standbyStatus?.()).toEqual({ target: 0, ready: 0 });
      expect(monitorsMentioning(stateDir)).toEqual([]);
      await none.close();
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('sweeps the slots of a runtime that died without closing', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'taskledger-standby-crash-'));
    try {
      // A process of its own makes a standby and dies without a word, as a killed daemon does.
      const script = path.join(stateDir, 'die-with-standby.mts');
      writeFileSync(
        script,
        [
          `import { createSystemClock } from ${JSON.stringify(path.resolve('src/platform/system-clock.ts'))};`,
          `import { createRuncRuntime } from ${JSON.stringify(path.resolve('src/runtime/runc-runtime.ts'))};`,
          `const runtime = await createRuncRuntime({ stateDir: ${JSON.stringify(stateDir)}, clock: createSystemClock() });`,
          'while (runtime.standbyStatus().ready < 1) await new Promise((r) => setTimeout(r, 10));',
          'process.exit(0);',
        ].join('\n'),
      );
      await execa('node_modules/.bin/tsx', [script], { timeout: 20_000 });
      expect(readdirSync(path.join(stateDir, 'standby', 'slots'))).toHaveLength(1);
      // Its runc read EOF when the dead process's end of the FIFO closed; conmon followed it.
      await eventually(() => expect(monitorsMentioning(stateDir)).toEqual([]), 5_000);
      const runtime = await createRuncRuntime({ stateDir, clock, standbyMonitors: 0 });
      expect(readdirSync(path.join(stateDir, 'standby', 'slots'))).toEqual([]);
      expect(readdirSync(path.join(stateDir, 'sockets'))).toEqual([]);
      await runtime.close();
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('finishes a claim that a crash cut before runc state moved, so the task is found', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'taskledger-standby-cut-'));
    try {
      const first = await createRuncRuntime({ stateDir, clock });
      await eventually(() => expect(first.standbyStatus?.().ready).toBe(1), 10_000);
      const task = await first.create('cut', {
        namespace: 'default',
        spec: specFor(['sleep', '60']),
        rootfs: await busyboxMounts(),
        io: { terminal: false },
      });
      await first.close();
      // The scene of a crash right after `runc create`: runc's state still has the slot's name.
      const layout = createRuntimeLayout(stateDir);
      const slot = layout.standbySlot(
        readFileSync(layout.task('default', 'cut').standbyMarker, 'utf8'),
      );
      renameSync(path.join(layout.runcRoot('default'), 'cut'), slot.runcState);
      const restarted = await createRuncRuntime({ stateDir, clock, standbyMonitors: 0 });
      try {
        const found = await restarted.get('default', 'cut');
        expect(found?.pid).toBe(task.pid);
        expect(await found?.status()).toBe('created');
        expect(existsSync(slot.runcState)).toBe(false);
        await restarted.delete(found!);
        expect(await findLeftovers(stateDir)).toEqual({
          runcContainers: [],
          mounts: [],
          conmons: [],
          bundles: [],
        });
        expect(readdirSync(layout.standbySlotsDir)).toEqual([]);
      } finally {
        await restarted.close();
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
