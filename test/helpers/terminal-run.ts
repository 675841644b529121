import { execa } from 'execa';

/** What a command run on a terminal printed and how it exited. */
export interface TerminalRun {
  /** Everything it printed (stdout and stderr share the terminal), CR LF line endings included. */
  readonly stdout: string;
  /** Its exit code; -1 when it was killed by a signal. */
  readonly exitCode: number;
}

const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** What to type: at once, or once the output so far contains `after`. */
export interface Keystrokes {
  /** Text that must have been printed before these keys are typed. */
  readonly after?: string;
  /** The keys. */
  readonly type: string;
}

/**
 * Runs `argv` on a pseudo-terminal of `cols` x `rows` (util-linux `script`), as a user at a
 * terminal would, typing `input` into it (a string at once, or keystrokes each waiting for some
 * output). Its stdin stays open until the command exits, as a keyboard does.
 */
export async function runOnTerminal(
  argv: readonly string[],
  terminal: {
    readonly cols: number;
    readonly rows: number;
    readonly input: string | readonly Keystrokes[];
  },
  env: Record<string, string> = {},
): Promise<TerminalRun> {
  const command = argv.map(shellQuote).join(' ');
  const child = execa(
    'script',
    ['-qec', `stty cols ${terminal.cols} rows ${terminal.rows} && exec ${command}`, '/dev/null'],
    { reject: false, timeout: 30_000, stdin: 'pipe', stripFinalNewline: false, env },
  );
  const steps = typeof terminal.input === 'string' ? [{ type: terminal.input }] : terminal.input;
  let printed = '';
  let next = 0;
  const typeWhatIsDue = (): void => {
    while (next < steps.length && printed.includes(steps[next]!.after ?? '')) {
      child.stdin.write(steps[next]!.type);
      next += 1;
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
    typeWhatIsDue();
  });
  typeWhatIsDue();
  const result = await child;
  return { stdout: result.stdout, exitCode: result.exitCode ?? -1 };
}
