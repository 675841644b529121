import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { unavailable } from '../domain/errors.ts';
import type { StandbyStatus } from '../ports/runtime.ts';
import { conmonCreateArgs } from './conmon-args.ts';
import { startConmon, type StartedConmon } from './conmon-launcher.ts';
import { parseSyncReport } from './conmon-sync.ts';
import { isMonitorAlive } from './monitor-files.ts';
import { outcomeError } from './runc-cli.ts';
import type { RuncContext } from './runc-context.ts';
import type { StandbySlotPaths } from './runtime-layout.ts';
import { endUnclaimedSlot } from './standby-slots.ts';

/** A standby monitor that is ready: runc waits for its spec, reading the slot's config FIFO. */
export interface StandbyMonitor {
  /** Its slot. */
  readonly slot: StandbySlotPaths;
  /**
   * The write end of the slot's config FIFO, held open since runc opened it: runc waits in
   * read() for the spec. Closing it unwritten (or the daemon dying) gives runc EOF, and runc,
   * then conmon, exit with nothing created.
   */
  readonly fifo: number;
  /** conmon's start, for reading its report ({@link conmonReport}). */
  readonly started: StartedConmon;
}

/** The runtime's standby monitors. */
export interface StandbyMonitors {
  /** A ready standby whose conmon is alive, now the caller's to claim or {@link discard}. */
  take(): StandbyMonitor | undefined;
  /** Ends a standby that was taken but not claimed (its slot is still a directory). */
  discard(standby: StandbyMonitor): Promise<void>;
  /**
   * Marks a create in flight and returns its end: standbys are prepared only while no create
   * runs, so that preparing one never competes with a create for the CPU, and not until
   * {@link quietMs} after the last one, or its task's deletion, whichever comes first.
   */
  busy(): () => void;
  /** Says a task was deleted: a lifecycle ended, and a standby may be prepared now. */
  deleted(): void;
  /** How many are wanted and ready. */
  status(): StandbyStatus;
  /** Stops preparing, ends every ready standby and removes its slot. */
  close(): Promise<void>;
}

/** What the standby monitors use of the runtime. */
export type StandbyContext = Pick<
  RuncContext,
  | 'layout'
  | 'launcher'
  | 'runner'
  | 'runc'
  | 'runcBinary'
  | 'runcTimeoutMs'
  | 'conmonBinary'
  | 'conmonTimeoutMs'
  | 'launches'
>;

// runc reaches its open of config.json some milliseconds after conmon started; this is how
// often the FIFO is tried meanwhile, and how long at most.
const readyPollMs = 2;
const readyTimeoutMs = 10_000;
// After a standby that failed to become ready, the next try waits this long, doubling.
const firstBackoffMs = 1_000;
const maxBackoffMs = 60_000;
/**
 * How long after a create the next standby waits, unless the task is deleted first. A short task
 * runs its start, exit and deletion within it: preparing the standby then would slow them.
 */
export const quietMs = 100;

/**
 * Keeps `target` standby monitors ready: conmon started, and under it `runc create` for a
 * container whose spec is still to come, blocked reading the slot's `config.json`, a FIFO. A
 * create that claims one (standby-claim.ts) skips conmon's start-up and runc's own (about 17 ms
 * of a 40 ms create here): it renames the slot to its bundle and writes the spec into the FIFO,
 * and runc carries on from there. A standby is prepared only when no create is in flight,
 * one at a time; under load every create takes the ordinary path, so a standby never slows one.
 * Each costs a sleeping conmon (about 2 MB) and a sleeping runc (about 8 MB).
 */
export function createStandbyMonitors(
  ctx: StandbyContext,
  options: { readonly target: number },
): StandbyMonitors {
  const ready: StandbyMonitor[] = [];
  const closing = new AbortController();
  const preparing = new Set<Promise<void>>();
  // Standbys found dead at a take, being ended: close waits for them too.
  const ending = new Set<Promise<void>>();
  let busy = 0;
  let closed = false;
  let backoffMs = 0;
  let retryAt = 0;
  let notBefore = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastError: string | undefined;

  const refill = (): void => {
    if (closed || busy > 0 || preparing.size > 0 || ready.length >= options.target) return;
    const wait = Math.max(retryAt, notBefore) - Date.now();
    if (wait > 0) {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        refill();
      }, wait).unref();
      return;
    }
    const step = prepareStandby(ctx, closing.signal).then(
      (standby) => {
        backoffMs = 0;
        lastError = undefined;
        if (closed) return endStandby(ctx, standby);
        ready.push(standby);
      },
      (error: unknown) => {
        lastError = error instanceof Error ? error.message : String(error);
        backoffMs = Math.min(Math.max(firstBackoffMs, backoffMs * 2), maxBackoffMs);
        retryAt = Date.now() + backoffMs;
      },
    );
    preparing.add(step);
    void step.finally(() => {
      preparing.delete(step);
      refill();
    });
  };

  refill();
  return {
    take() {
      for (let standby = ready.shift(); standby; standby = ready.shift()) {
        if (isRuncWaiting(standby)) return standby;
        const end = endStandby(ctx, standby).catch(() => undefined);
        ending.add(end);
        void end.finally(() => ending.delete(end));
      }
      return undefined;
    },
    discard: (standby) => endStandby(ctx, standby),
    busy() {
      busy += 1;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        busy -= 1;
        notBefore = Date.now() + quietMs;
        refill();
      };
    },
    deleted() {
      notBefore = 0;
      // After the deletion's answer is on its way: preparing starts a process.
      setImmediate(refill);
    },
    status: () => ({
      target: options.target,
      ready: ready.length,
      ...(lastError === undefined ? {} : { lastError }),
    }),
    async close() {
      closed = true;
      closing.abort();
      clearTimeout(timer);
      await Promise.all([...preparing, ...ending]);
      await Promise.all(ready.splice(0).map((standby) => endStandby(ctx, standby)));
    },
  };
}

/** Starts one standby and resolves once runc waits on its FIFO; leaves nothing when it fails. */
async function prepareStandby(ctx: StandbyContext, signal: AbortSignal): Promise<StandbyMonitor> {
  const slot = ctx.layout.standbySlot(`standby-${randomBytes(6).toString('hex')}`);
  try {
    // Synchronously: a few local metadata writes (see task-creation.ts).
    mkdirSync(slot.init.dir, { recursive: true });
    writeFileSync(slot.marker, slot.name);
    // The log exists before conmon opens it, as for any task: the forwarder follows it from byte 0.
    writeFileSync(slot.init.logFile, '');
    const made = await ctx.runner.run({
      file: 'mkfifo',
      args: ['-m', '600', slot.config],
      timeoutMs: ctx.runcTimeoutMs,
    });
    if (made.failed) throw outcomeError(made, 'mkfifo');
    const started = await startConmon(ctx, {
      args: conmonCreateArgs({
        runcBinary: ctx.runcBinary,
        runcRoot: ctx.layout.standbyRuncRoot,
        containerId: slot.name,
        bundle: slot.dir,
        process: slot.init,
        socketDir: ctx.layout.socketDir,
      }),
      monitor: slot.init,
      what: `standby ${slot.name}`,
    });
    if (!started) throw unavailable('no launcher shell can start a standby monitor');
    return { slot, fifo: await openWhenRuncWaits(slot, signal), started };
  } catch (error) {
    await endUnclaimedSlot(ctx, slot);
    throw error;
  }
}

/**
 * Opens the write end of the slot's FIFO once runc has it open for reading (a non-blocking open
 * fails with ENXIO until then). Rejects with runc's message when conmon reports that runc failed.
 */
async function openWhenRuncWaits(slot: StandbySlotPaths, signal: AbortSignal): Promise<number> {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    try {
      return openSync(slot.config, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENXIO') throw error;
    }
    const report = readSync(slot);
    if (report !== '') {
      const parsed = parseSyncReport(report);
      throw unavailable(
        `standby monitor ${slot.name}: ${parsed.ok ? 'runc created a container without a spec' : parsed.message}`,
      );
    }
    if (Date.now() > deadline)
      throw unavailable(`standby monitor ${slot.name}: runc did not open its spec in time`);
    if (signal.aborted) throw unavailable('the runtime is closing');
    await sleep(readyPollMs);
  }
}

const readSync = (slot: StandbySlotPaths): string => {
  try {
    return readFileSync(slot.init.syncFile, 'utf8');
  } catch {
    return '';
  }
};

/** Whether runc still waits on the standby's FIFO: conmon lives, said nothing, a reader holds it. */
function isRuncWaiting(standby: StandbyMonitor): boolean {
  if (readSync(standby.slot) !== '' || !isMonitorAlive(standby.slot.init)) return false;
  try {
    // A second write end, closed at once: it proves a reader without ending anything.
    closeSync(openSync(standby.slot.config, constants.O_WRONLY | constants.O_NONBLOCK));
    return true;
  } catch {
    return false;
  }
}

/** Ends a standby that no task claimed: runc reads EOF and exits, conmon follows; slot removed. */
async function endStandby(ctx: StandbyContext, standby: StandbyMonitor): Promise<void> {
  try {
    closeSync(standby.fifo);
  } catch {
    // already closed
  }
  await endUnclaimedSlot(ctx, standby.slot);
}
