import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { runOnTerminal, type TerminalRun } from './terminal-run.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** The command users run: the sh launcher in front of the Node entry point (bin/taskledger.js). */
export const cliBin = `${repo}bin/taskledger`;

/** Throws unless the compiled CLI exists (scripts/setup.sh, which `npm test` runs, builds it). */
export function requireBuiltCli(): void {
  if (!existsSync(`${repo}dist/bundle/main.js`)) {
    throw new Error(
      'dist/ is missing: run `bash scripts/setup.sh` (npm test does) before the CLI tests',
    );
  }
}

/** Runs the real CLI against `address`; never throws on a non-zero exit. */
export function cli(
  address: string,
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): ResultPromise<{ reject: false; timeout: number }> {
  requireBuiltCli();
  return execa(cliBin, args, {
    reject: false,
    timeout: 60_000,
    env: { TASKLEDGER_ADDRESS: address, ...options.env },
    input: options.input ?? '',
  });
}

/** Runs the real CLI against `address` on a terminal (see {@link runOnTerminal}). */
export function cliOnTerminal(
  address: string,
  args: readonly string[],
  terminal: Parameters<typeof runOnTerminal>[1],
): Promise<TerminalRun> {
  requireBuiltCli();
  return runOnTerminal([cliBin, ...args], terminal, { TASKLEDGER_ADDRESS: address });
}
