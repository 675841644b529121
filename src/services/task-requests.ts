import { invalidArgument } from '../domain/errors.ts';
import { ioOf } from '../domain/task-evolve.ts';
import type { TaskIoState } from '../domain/task-state.ts';

/**
 * Validates the io of a create or exec request: absolute paths without `..`, and at most one
 * source of stdin (a client's path, or `openStdin` for a FIFO the runtime keeps).
 */
export function parseIo(value: unknown): TaskIoState {
  if (value === undefined || value === null) return ioOf(undefined);
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidArgument('io must be an object {stdin, stdout, stderr, terminal, openStdin}');
  const io = value as Record<string, unknown>;
  for (const name of ['stdin', 'stdout', 'stderr']) {
    const path = io[name];
    if (path === undefined || path === null || path === '') continue;
    if (typeof path !== 'string' || !path.startsWith('/'))
      throw invalidArgument(`io.${name} must be an absolute path`);
    if (path.split('/').includes('..')) throw invalidArgument(`io.${name} must not contain ".."`);
  }
  for (const name of ['terminal', 'openStdin']) {
    if (io[name] !== undefined && typeof io[name] !== 'boolean')
      throw invalidArgument(`io.${name} must be a boolean`);
  }
  if (io.openStdin === true && typeof io.stdin === 'string' && io.stdin !== '')
    throw invalidArgument('io.stdin and io.openStdin cannot both be set: give one source of stdin');
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
