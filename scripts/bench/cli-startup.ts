/**
 * CLI start-up: how much a taskledger CLI call costs beyond starting Node at all. Node alone
 * (`node -e 0`, and without NODE_EXTRA_CA_CERTS when the environment sets it, as bin/taskledger
 * starts Node), `taskledger --help` (loads the CLI, talks to nobody), `taskledger version` (one
 * API request) and `ctr version` (the Go client's floor, one gRPC request), interleaved.
 */
import path from 'node:path';
import type { BenchEnv } from './bench-env.ts';
import { runCommand } from './proc.ts';
import { rotation } from './stats.ts';
import { emptySamples, type PeerSamples } from './lifecycle.ts';

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
  const results = commands.map((c) => emptySamples(c.name));
  const run = (argv: string[]): Promise<unknown> => runCommand(argv[0]!, argv.slice(1));
  for (const c of commands) await run(c.argv).catch(() => undefined);
  for (let round = 0; round < rounds; round++) {
    for (const i of rotation([...commands.keys()], round)) {
      const started = performance.now();
      try {
        await run(commands[i]!.argv);
        results[i]!.samples.push(performance.now() - started);
      } catch (error) {
        results[i]!.failures += 1;
        results[i]!.firstError ??= String(error);
        log(`  ${commands[i]!.name}: FAILED: ${String(error)}`);
      }
    }
  }
  return results;
}
