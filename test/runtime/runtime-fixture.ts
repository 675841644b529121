import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, expect } from 'vitest';
import { createSystemClock } from '../../src/platform/system-clock.ts';
import type { Mount, Runtime, RuntimeEvent, RuntimeTask, TaskIO } from '../../src/ports/runtime.ts';
import { createRuncRuntime } from '../../src/runtime/runc-runtime.ts';
import { busyboxMounts, specFor } from '../helpers/busybox-rootfs.ts';
import {
  bundlesLeft,
  isUnclaimedStandby,
  monitorsMentioning,
  mountsUnder,
  runcContainers,
  socketLinksLeft,
} from '../helpers/leftovers.ts';

/** A runc runtime on a private state directory, with helpers, for one test file. */
export interface RuntimeFixture {
  /** The private state directory (under the system temp dir). */
  readonly stateDir: string;
  /** The runtime under test. */
  readonly runtime: Runtime;
  /** A private directory for the tests' own stdio files and FIFOs (outside the state directory). */
  readonly ioDir: string;
  /** Makes a FIFO named `name` in {@link ioDir}, as `ctr` does for a task's stdio. */
  fifo(name: string): Promise<string>;
  /** Creates a task running `args` on the busybox rootfs; it is cleaned up by {@link cleanup}. */
  create(id: string, args: readonly string[], options?: CreateOptions): Promise<RuntimeTask>;
  /** Resolves once the runtime's standby monitors are all ready (see standby-monitors.ts). */
  standbyReady(timeoutMs?: number): Promise<void>;
  /** The first event (recorded on disk or live) matching `predicate`, or a timeout error. */
  nextEvent(predicate: (event: RuntimeEvent) => boolean, timeoutMs?: number): Promise<RuntimeEvent>;
  /** Kills and deletes every task left, closes the runtime, removes the state and io directories. */
  cleanup(): Promise<void>;
}

/** Extra settings for {@link RuntimeFixture.create}. */
export interface CreateOptions {
  readonly namespace?: string;
  readonly io?: TaskIO;
  readonly rootfs?: Mount[];
  readonly spec?: Record<string, unknown>;
}

/**
 * Starts a runtime on a fresh state directory named after `name`, with the runtime's default
 * number of standby monitors unless `standbyMonitors` says otherwise.
 */
export async function createRuntimeFixture(
  name: string,
  options: { standbyMonitors?: number } = {},
): Promise<RuntimeFixture> {
  const stateDir = await mkdtemp(path.join(tmpdir(), `taskledger-${name}-`));
  const ioDir = await mkdtemp(path.join(tmpdir(), `taskledger-${name}-io-`));
  const runtime = await createRuncRuntime({
    stateDir,
    clock: createSystemClock(),
    standbyMonitors: options.standbyMonitors,
  });
  return {
    stateDir,
    runtime,
    ioDir,
    async fifo(name) {
      const file = path.join(ioDir, name);
      await execa('mkfifo', [file], { timeout: 5_000 });
      return file;
    },
    async create(id, args, options = {}) {
      return runtime.create(id, {
        namespace: options.namespace ?? 'default',
        spec: options.spec ?? specFor(args),
        rootfs: options.rootfs ?? (await busyboxMounts()),
        io: options.io ?? { terminal: false },
      });
    },
    standbyReady(timeoutMs = 10_000) {
      return eventually(() => {
        const status = runtime.standbyStatus?.();
        expect(status?.ready).toBe(status?.target);
      }, timeoutMs);
    },
    nextEvent(predicate, timeoutMs = 10_000) {
      return firstValueFrom(runtime.events().pipe(filter(predicate), timeout(timeoutMs)));
    },
    async cleanup() {
      for (const task of await runtime.tasks().catch(() => [])) {
        await task.kill(9, { all: true }).catch(() => undefined);
        await firstValueFrom(
          runtime.events().pipe(
            filter((e) => e.type === 'exit' && e.containerId === task.id && e.execId === task.id),
            timeout(5_000),
          ),
        ).catch(() => undefined);
        await runtime.delete(task).catch(() => undefined);
      }
      await runtime.close();
      // Closed, the runtime leaves no monitor of its own: its standbys are gone too.
      const left = monitorsMentioning(stateDir);
      await rm(stateDir, { recursive: true, force: true });
      await rm(ioDir, { recursive: true, force: true });
      if (left.length > 0) throw new Error(`conmons left after close: ${left.join(', ')}`);
    },
  };
}

/**
 * Gives a test file its fixture: created before the file's tests (handed to `use`), cleaned up
 * after them.
 */
export function withRuntimeFixture(
  name: string,
  use: (fixture: RuntimeFixture) => void,
  options: { standbyMonitors?: number } = {},
): void {
  let fixture: RuntimeFixture | undefined;
  beforeAll(async () => {
    fixture = await createRuntimeFixture(name, options);
    use(fixture);
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });
}

/** Predicate: the exit of the init process of `id`. */
export const initExit =
  (id: string) =>
  (event: RuntimeEvent): boolean =>
    event.type === 'exit' && event.containerId === id && event.execId === id;

/** Everything a task could leave behind, to assert that there is nothing. */
export interface Leftovers {
  /** Containers runc still lists in any namespace root of the state directory. */
  readonly runcContainers: string[];
  /** Mount points under the state directory. */
  readonly mounts: string[];
  /**
   * Live conmon processes whose command line mentions the state directory, but for the standby
   * monitors no task has claimed (the runtime's own until it closes).
   */
  readonly conmons: number[];
  /** Bundle directories. */
  readonly bundles: string[];
}

/** Looks for runc containers, mounts, conmons and bundles of `stateDir`, in every namespace. */
export async function findLeftovers(stateDir: string): Promise<Leftovers> {
  const namespaces = async (kind: string): Promise<string[]> =>
    readdir(path.join(stateDir, kind)).catch(() => [] as string[]);
  const runc: string[] = [];
  for (const namespace of await namespaces('runc'))
    runc.push(...(await runcContainers(stateDir, namespace)));
  const bundles: string[] = [];
  for (const namespace of await namespaces('bundles'))
    bundles.push(...bundlesLeft(stateDir, namespace).map((id) => `${namespace}/${id}`));
  return {
    runcContainers: runc,
    mounts: mountsUnder(stateDir),
    conmons: monitorsMentioning(stateDir).filter((pid) => !isUnclaimedStandby(pid, stateDir)),
    bundles,
  };
}

/**
 * Waits until nothing of a removed task is left in `stateDir`: no runc container, mount, conmon
 * (but the runtime's own standbys), bundle or attach-socket link. conmon reports a failure just
 * before it exits, so this gives it a moment.
 */
export async function expectNothingLeft(stateDir: string): Promise<void> {
  await eventually(async () =>
    expect(await findLeftovers(stateDir)).toEqual({
      runcContainers: [],
      mounts: [],
      conmons: [],
      bundles: [],
    }),
  );
  expect(socketLinksLeft(stateDir)).toEqual([]);
}

/** Resolves after `ms` milliseconds. */
export const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `check` until it stops throwing (or `timeoutMs` passes, then rethrows its error). */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 2_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await delay(10);
    }
  }
}
