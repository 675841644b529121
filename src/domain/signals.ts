import { invalidArgument } from './errors.ts';

/** Linux signal numbers by name (x86_64 and arm64 agree on these). */
const signalNumbers: Readonly<Record<string, number>> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  PWR: 30,
  SYS: 31,
};

/** Parses `SIGKILL`, `KILL`, `kill` or `9` into a signal number; InvalidArgument otherwise. */
export function parseSignal(value: unknown): number {
  if (typeof value === 'number') return checkNumber(value, String(value));
  if (typeof value !== 'string' || value === '')
    throw invalidArgument('signal must be a name (SIGTERM) or a number');
  if (/^\d+$/.test(value)) return checkNumber(Number(value), value);
  const name = value.toUpperCase().replace(/^SIG/, '');
  const n = signalNumbers[name];
  if (n === undefined) throw invalidArgument(`unknown signal ${JSON.stringify(value)}`);
  return n;
}

/** The conventional exit status of a process killed by `signal`: 128+N. */
export function signalExitStatus(signal: number): number {
  return 128 + signal;
}

function checkNumber(n: number, text: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw invalidArgument(`signal ${text} is out of range 1-64`);
  return n;
}

/** The name of signal `n` (`SIGKILL`), or undefined for a number with no name here. */
export function signalName(n: number): string | undefined {
  const name = Object.keys(signalNumbers).find((k) => signalNumbers[k] === n);
  return name === undefined ? undefined : `SIG${name}`;
}
