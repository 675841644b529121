import { invalidArgument } from '../domain/errors.ts';

/** Throws InvalidArgument unless the body is a JSON object; returns it typed loosely. */
export function objectBody(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidArgument(`${what}: request body must be a JSON object`);
  }
  return body as Record<string, unknown>;
}

/** Reads an optional field of a given JSON type, or throws InvalidArgument naming it. */
export function optionalField<T>(
  body: Record<string, unknown>,
  name: string,
  type: 'string' | 'boolean' | 'number' | 'object' | 'array',
): T | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  const actual = Array.isArray(value) ? 'array' : typeof value;
  if (actual !== type)
    throw invalidArgument(
      `field "${name}" must be ${type === 'array' ? 'an array' : `a ${type}`}, got ${actual}`,
    );
  return value as T;
}

/** Reads a required field, or throws InvalidArgument naming it. */
export function requiredField<T>(
  body: Record<string, unknown>,
  name: string,
  type: 'string' | 'boolean' | 'number' | 'object' | 'array',
): T {
  const value = optionalField<T>(body, name, type);
  if (value === undefined) throw invalidArgument(`field "${name}" is required`);
  return value;
}

/** Reads the optional `update_mask` of an update: an array of field paths (strings). */
export function updateMaskField(body: Record<string, unknown>): string[] | undefined {
  const mask = optionalField<unknown[]>(body, 'update_mask', 'array');
  if (mask && !mask.every((p) => typeof p === 'string')) {
    throw invalidArgument('field "update_mask" must be an array of strings');
  }
  return mask;
}

/** The stdio fields of a create or exec body (validated by the task service). */
export function taskIoFields(body: Record<string, unknown>): Record<string, unknown> {
  return {
    stdin: body.stdin,
    stdout: body.stdout,
    stderr: body.stderr,
    terminal: body.terminal,
    openStdin: body.open_stdin,
  };
}

/** A boolean query parameter such as `follow` or `force`: set by `1` or `true`, else off. */
export function queryFlag(query: URLSearchParams, name: string): boolean {
  return ['1', 'true'].includes(query.get(name) ?? '');
}
