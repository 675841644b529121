import { invalidArgument } from '../domain/errors.ts';
import { ioOf } from '../domain/task-evolve.ts';
import type { TaskIoState } from '../domain/task-state.ts';

/** Validates the io paths of a create or exec request: absolute, no `..`. */
export function parseIo(value: unknown): TaskIoState {
  if (value === undefined || value === null) return ioOf(undefined);
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidArgument('io must be an object {stdin, stdout, stderr, terminal}');
  const io = value as Record<string, unknown>;
  for (const name of ['stdin', 'stdout', 'stderr']) {
    const path = io[name];
    if (path === undefined || path === null || path === '') continue;
    if (typeof path !== 'string' || !path.startsWith('/'))
      throw invalidArgument(`io.${name} must be an absolute path`);
    if (path.split('/').includes('..')) throw invalidArgument(`io.${name} must not contain ".."`);
  }
  if (io.terminal !== undefined && typeof io.terminal !== 'boolean')
    throw invalidArgument('io.terminal must be a boolean');
  return ioOf(io);
}

/** Validates an exec's OCI process: an object with non-empty string args. */
export function parseProcess(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument('process must be an OCI process object with args');
  }
  const args = (value as Record<string, unknown>).args;
  if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string')) {
    throw invalidArgument('process.args must be a non-empty array of strings');
  }
  return value as Record<string, unknown>;
}
