/**
 * CLI start-up: how much a taskledger CLI call costs beyond starting Node at all. Node alone
 * (`node -e 0`, and without NODE_EXTRA_CA_CERTS when the environment sets it, as bin/taskledger
 * starts Node), `taskledger --help` (loads the CLI, talks to nobody), `taskledger version` (one
 * API request) and `ctr version` (the Go client's floor, one gRPC request), interleaved like the
 * lifecycle peers: each command is a peer whose "task" is one run of it.
 */
import path from 'node:path';
import type { BenchEnv } from './bench-env.ts';
import { measureLatency, type PeerSamples } from './lifecycle.ts';
import type { Peer } from './peers.ts';
import { runCommand } from './proc.ts';

/** Times each command `rounds` times (after one untimed run each), interleaved. */
export async function measureCliStartup(
  env: BenchEnv,
  rounds: number,
  log: (line: string) => void,
): Promise<PeerSamples[]> {
  const bin = path.join(env.repo, 'bin', 'taskledger');
  const commands: { name: string; argv: string[] }[] = [
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
    ...(process.env.NODE_EXTRA_CA_CERTS
      ? [
          {
            name: 'node -e 0, NODE_EXTRA_CA_CERTS unset',
            argv: ['env', '-u', 'NODE_EXTRA_CA_CERTS', process.execPath, '-e', '0'],
          },
        ]
      : []),
    { name: 'taskledger --help', argv: [bin, '--help'] },
    { name: 'taskledger version', argv: [bin, '--address', env.taskledgerAddress, 'version'] },
    { name: 'ctr version', argv: ['ctr', '--address', env.containerdAddress, 'version'] },
  ];
  const peers: Peer[] = commands.map(({ name, argv }) => ({
    name,
    async runShortTask() {
      await runCommand(argv[0]!, argv.slice(1));
    },
  }));
  return measureLatency(peers, rounds, log, 'start-up');
}
