/**
 * Lifecycle latency and throughput of short tasks, peers interleaved: every round runs each peer
 * once (latency) or runs a batch per peer (throughput), in an order rotated per round, so a
 * machine that gets busier or quieter during the run affects every peer alike.
 */
import type { Peer } from './peers.ts';
import { pool } from './proc.ts';
import { median, rotation } from './stats.ts';

/** What one peer measured. */
export interface PeerSamples {
  readonly peer: string;
  /** One value per successful sample (ms for latency, tasks/s for throughput). */
  readonly samples: number[];
  /** Per-step durations (ms) of the peers that report steps, latency rounds only. */
  readonly steps: Record<string, number[]>;
  /** Failed samples, with the first failure's message. */
  failures: number;
  firstError?: string;
}

/** No samples yet for `peer`. */
export const emptySamples = (peer: string): PeerSamples => ({
  peer,
  samples: [],
  steps: {},
  failures: 0,
});

/** The median of a peer's samples, or undefined when none succeeded. */
export const medianOf = (s: PeerSamples): number | undefined =>
  s.samples.length > 0 ? median(s.samples) : undefined;

const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

function record(samples: PeerSamples, error: unknown, log: (line: string) => void): void {
  samples.failures += 1;
  const message = error instanceof Error ? error.message : String(error);
  samples.firstError ??= message;
  log(`  ${samples.peer}: FAILED: ${message}`);
}

/**
 * Times one short task per peer per round (after one warm-up task each, not counted): from the
 * first request (or the process spawn) to the answer of the last delete (or the process exit).
 * `what` names the rounds in the progress lines.
 */
export async function measureLatency(
  peers: readonly Peer[],
  rounds: number,
  log: (line: string) => void,
  what = 'latency',
): Promise<PeerSamples[]> {
  const results = peers.map((p) => emptySamples(p.name));
  const byPeer = new Map(peers.map((p, i) => [p, results[i]!]));
  for (const peer of peers) {
    await peer
      .runShortTask(`warm-${slug(peer.name)}`)
      .catch((error: unknown) => log(`  warm-up ${peer.name}: ${String(error)}`));
    await peer.settle?.();
  }
  for (let round = 0; round < rounds; round++) {
    for (const peer of rotation(peers, round)) {
      const samples = byPeer.get(peer)!;
      const started = performance.now();
      let last = started;
      const step = (name: string): void => {
        const now = performance.now();
        (samples.steps[name] ??= []).push(now - last);
        last = now;
      };
      try {
        await peer.runShortTask(`lat-${slug(peer.name)}-${round}`, step);
        samples.samples.push(performance.now() - started);
      } catch (error) {
        record(samples, error, log);
      }
      await peer.settle?.();
    }
    log(
      `  ${what} round ${round + 1}/${rounds}: ${results
        .map((r) => `${r.peer} ${r.samples.at(-1)?.toFixed(0) ?? '-'} ms`)
        .join(', ')}`,
    );
  }
  return results;
}

/**
 * Runs `tasks` short tasks per peer with `inFlight` at a time, `rounds` times, peers rotated per
 * round; a sample is tasks per second over the batch (failed tasks do not count as done).
 */
export async function measureThroughput(
  peers: readonly Peer[],
  options: { rounds: number; tasks: number; inFlight: number },
  log: (line: string) => void,
): Promise<PeerSamples[]> {
  const results = peers.map((p) => emptySamples(p.name));
  const byPeer = new Map(peers.map((p, i) => [p, results[i]!]));
  for (let round = 0; round < options.rounds; round++) {
    for (const peer of rotation(peers, round)) {
      const samples = byPeer.get(peer)!;
      let done = 0;
      const started = performance.now();
      await pool(options.tasks, options.inFlight, async (i) => {
        try {
          await peer.runShortTask(`tp-${slug(peer.name)}-${round}-${i}`);
          done += 1;
        } catch (error) {
          record(samples, error, log);
        }
      });
      const seconds = (performance.now() - started) / 1000;
      if (done > 0) samples.samples.push(done / seconds);
      log(
        `  throughput round ${round + 1}/${options.rounds}: ${peer.name} ${done}/${options.tasks} in ${seconds.toFixed(1)} s`,
      );
    }
  }
  return results;
}
