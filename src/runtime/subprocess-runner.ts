import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { unavailable } from '../domain/errors.ts';
import { settledWithin } from './settled-within.ts';
import { subprocessWorkerSource } from './subprocess-worker-source.ts';

/** One subprocess to run. */
export interface SubprocessRequest {
  /** Executable path. */
  readonly file: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** Kill it after this long (execa's `timeout`); also bounds the wait for a sync report. */
  readonly timeoutMs: number;
  /** Working directory. */
  readonly cwd?: string;
  /** Extra environment (added to ours). */
  readonly env?: Readonly<Record<string, string>>;
  /** Give it a pipe as fd 3 and return the first line written there (conmon's sync pipe). */
  readonly syncPipe?: boolean;
}

/** How a subprocess ended, as plain data (it crosses a thread boundary). */
export interface SubprocessOutcome {
  /** Its stdout. */
  readonly stdout: string;
  /** Its stderr. */
  readonly stderr: string;
  /** Its exit code; undefined when it was killed or never ran. */
  readonly exitCode?: number | undefined;
  /** Whether it failed: non-zero exit, signal, timeout, cancellation or spawn error. */
  readonly failed: boolean;
  /** Whether it was killed for exceeding its timeout. */
  readonly timedOut: boolean;
  /** Whether it was cancelled by {@link SubprocessRunner.cancelAll}. */
  readonly isCanceled: boolean;
  /** The spawn error code, e.g. `ENOENT` for a missing executable. */
  readonly code?: string | undefined;
  /** execa's one-line description of a failure. */
  readonly shortMessage: string;
  /** With `syncPipe`: what arrived on fd 3 up to the first newline ('' when nothing did). */
  readonly syncText?: string | undefined;
}

/** Runs subprocesses off the main thread, a bounded number at a time. */
export interface SubprocessRunner {
  /** Runs one subprocess to completion; never rejects for the subprocess's own failure. */
  run(request: SubprocessRequest): Promise<SubprocessOutcome>;
  /** Resolves once nothing runs or waits to run, or after `timeoutMs`, whichever is first. */
  idle(timeoutMs: number): Promise<void>;
  /** Kills every subprocess still running (the runtime is closing). */
  cancelAll(): void;
  /** Stops the worker thread; later runs reject with Unavailable. */
  close(): Promise<void>;
}

/**
 * The worker's young generation, in MB. Everything it allocates (execa's streams and promises
 * per subprocess) dies young, and V8's default lets that garbage grow the worker's young
 * generation to tens of MB: measured, 600 spawns left a process 32-36 MB larger with the
 * default and 14-18 MB larger with 4 MB, at the same spawn latency. The daemon's RSS matters
 * twice: it is its memory, and every fork copies its page tables (about 3 ms per 100 MB here).
 * Only the young generation is capped: a full young generation promotes, it never fails, while
 * a capped old generation would end the worker, and every later subprocess with it.
 */
const workerYoungGenerationMb = 4;

/**
 * Why a worker thread: `child_process.spawn` blocks the loop that calls it until the child has
 * exec'd (libuv forks, then waits on a close-on-exec pipe), and on a busy machine the child waits
 * for a CPU first. Measured on these 2-CPU machines: 10-90 ms per spawn while runc kept the CPUs
 * busy; twenty `runc start`s issued together blocked the loop for 600 ms, and exit events, which
 * arrive on that loop, waited as long. From a worker, 40 spawns left the main loop's worst stall
 * at 15 ms on an idle machine. (A small helper process would also spare the daemon the fork
 * itself, which grows with the daemon's memory: a prototype ran `/bin/true` in 10-11 ms where
 * this worker takes 14-15 ms, for one more process of about 40 MB. Not done: it saves about 4%
 * of a short task's lifecycle. Forking ahead of time does not help: shells forked in advance,
 * each exec'ing the next command when asked, got conmon's report about 10 ms sooner, but the
 * fork that refilled the pool, now right after, slowed the task's start as much; interleaved with
 * this runner over 24 lifecycles, 140.8 ms against 138.6. On these PVM guests a fork of the
 * daemon costs the whole machine, wherever it is placed.) The runtime now runs nearly every
 * command from its launcher shells (launching-runner.ts); this runner takes only what one shell
 * line cannot carry.
 *
 * Why a bound (`maxConcurrent`): with more runc processes than CPUs, each one only waits longer
 * for a CPU; 20 creates on 2 CPUs took 4.4 s four at a time against 2.1 s two at a time.
 * Requests beyond the bound wait in order.
 */
export function createSubprocessRunner(maxConcurrent: number): SubprocessRunner {
  const execaPath = createRequire(import.meta.url).resolve('execa');
  const worker = new Worker(subprocessWorkerSource, {
    eval: true,
    workerData: { execaPath },
    resourceLimits: { maxYoungGenerationSizeMb: workerYoungGenerationMb },
  });
  const pending = new Map<
    number,
    { resolve: (outcome: SubprocessOutcome) => void; reject: (error: Error) => void }
  >();
  const waiting: (() => void)[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let active = 0;
  let nextId = 1;
  let closed = false;

  // The worker keeps the process alive only while it has work, like a child process would.
  worker.unref();
  const settleAll = (error: Error): void => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (message: { id: number; outcome: SubprocessOutcome }) => {
    const entry = pending.get(message.id);
    pending.delete(message.id);
    if (pending.size === 0) worker.unref();
    entry?.resolve(message.outcome);
  });
  worker.on('error', (error) => {
    closed = true;
    settleAll(unavailable(`subprocess worker failed: ${error.message}`, error));
  });
  worker.on('exit', () => {
    closed = true;
    settleAll(unavailable('subprocess worker exited'));
  });

  const acquire = async (): Promise<void> => {
    if (active < maxConcurrent) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the releaser hands over its slot
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };
  const send = (request: SubprocessRequest): Promise<SubprocessOutcome> =>
    new Promise((resolve, reject) => {
      if (closed) {
        reject(unavailable('the runtime is closed'));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ type: 'run', id, ...request, args: [...request.args] });
    });

  return {
    run(request) {
      const running = (async () => {
        await acquire();
        try {
          return await send(request);
        } finally {
          release();
        }
      })();
      inFlight.add(running);
      void running.catch(() => undefined).finally(() => inFlight.delete(running));
      return running;
    },
    idle: (timeoutMs) => settledWithin([...inFlight], timeoutMs),
    cancelAll() {
      if (!closed) worker.postMessage({ type: 'cancel' });
    },
    async close() {
      if (closed) return;
      closed = true;
      await worker.terminate();
    },
  };
}
