import { execa, type ResultPromise } from 'execa';
import { runOnTerminal, type TerminalRun } from '../helpers/terminal-run.ts';

/**
 * `--env` for `ctr run`: ctr puts no PATH in a --rootfs container's spec (containerd fails the
 * same way without it). Flags go before `--rootfs`: it is a boolean, and ctr takes everything
 * after it as arguments.
 */
export const ctrPathEnv = ['--env', 'PATH=/bin:/sbin:/usr/bin:/usr/sbin'] as const;

/** What a `ctr` run printed and how it exited. */
export interface CtrResult {
  /** What it printed on stdout, without the final newline. */
  readonly stdout: string;
  /** What it printed on stderr. */
  readonly stderr: string;
  /** Its exit code; -1 when it was killed by a signal. */
  readonly exitCode: number;
}

/** A `ctr` run in progress. */
export interface CtrProcess {
  /** How it ends; never rejects on a non-zero exit (tests assert it). */
  readonly result: Promise<CtrResult>;
  /** Sends `ctr` itself a signal (it forwards signals to an attached task). */
  kill(signal: NodeJS.Signals): void;
}

/** Starts the stock `ctr` against `address`. */
export function startCtr(address: string, args: readonly string[]): CtrProcess {
  const child = execa('ctr', ['--address', address, ...args], {
    reject: false,
    timeout: 30_000,
    stdin: 'ignore',
  });
  const result = child.then((r) => ({
    stdout: r.stdout,
    stderr: r.stderr,
    exitCode: r.exitCode ?? -1,
  }));
  return { result, kill: (signal) => child.kill(signal) };
}

/** Runs the stock `ctr` against `address` to its end. */
export function ctr(address: string, args: readonly string[]): Promise<CtrResult> {
  return startCtr(address, args).result;
}

/** Runs the stock `ctr` against `address` on a terminal (see {@link runOnTerminal}). */
export const ctrOnTerminal = (
  address: string,
  args: readonly string[],
  terminal: Parameters<typeof runOnTerminal>[1],
): Promise<TerminalRun> => runOnTerminal(['ctr', '--address', address, ...args], terminal);

/** One line `ctr events` printed: `<time> <namespace> <topic> <json>`. */
export interface CtrEvent {
  /** The envelope's namespace. */
  readonly namespace: string;
  /** The envelope's topic. */
  readonly topic: string;
  /** The event message as ctr printed it (JSON of the decoded protobuf). */
  readonly event: Record<string, unknown>;
}

/** `ctr events` running in the background, its output parsed as it comes. */
export interface CtrEvents {
  /** Every event printed so far. */
  readonly events: readonly CtrEvent[];
  /** Topics of the events about one container (`container_id`, or `id` for container events), in order. */
  topicsOf(containerId: string): string[];
  /** Resolves once `predicate` holds for the events seen, polling; rejects after `timeoutMs`. */
  until(predicate: (events: readonly CtrEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Whether `ctr events` is still running (it exits 1 when the server ends the stream). */
  running(): boolean;
  /** Stops `ctr events`. */
  stop(): Promise<void>;
}

// "2026-11-29 05:07:15.41501623 +0000 UTC default /tasks/exit {...}"
const linePattern = /^\S+ \S+ \S+ \S+ (\S+) (\S+) (.*)$/;

/** Starts `ctr events [filters...]` against `address`. */
export function startCtrEvents(address: string, filters: readonly string[] = []): CtrEvents {
  const events: CtrEvent[] = [];
  const child: ResultPromise = execa('ctr', ['--address', address, 'events', ...filters], {
    reject: false,
    stdin: 'ignore',
    buffer: false,
  });
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const match = linePattern.exec(line);
      if (match)
        events.push({
          namespace: match[1]!,
          topic: match[2]!,
          event: JSON.parse(match[3]!) as Record<string, unknown>,
        });
    }
  });
  let exited = false;
  const done = child.then(() => {
    exited = true;
  });
  return {
    events,
    topicsOf(containerId) {
      return events
        .filter((e) => (e.event.container_id ?? e.event.id) === containerId)
        .map((e) => e.topic);
    },
    async until(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline)
          throw new Error(
            `ctr events: condition not met in ${timeoutMs} ms; saw ${JSON.stringify(events.map((e) => e.topic))}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    running: () => !exited,
    async stop() {
      child.kill('SIGTERM');
      await done;
    },
  };
}

/**
 * Starts `ctr events` and makes sure it is live: it prints nothing until an event comes, so
 * `poke(i)` causes events (with names of its own) until one shows.
 */
export async function startLiveCtrEvents(
  address: string,
  poke: (attempt: number) => Promise<void>,
): Promise<CtrEvents> {
  const events = startCtrEvents(address);
  for (let i = 0; events.events.length === 0 && i < 100; i++) {
    await poke(i);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return events;
}
