import { invalidArgument } from './errors.ts';

/** containerd's identifier rule (identifiers package): alphanumerics joined by single `.`, `_` or `-`. */
const identifierPattern = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

/** containerd's maximum identifier length. */
export const maxIdentifierLength = 76;

/** containerd's limit on a label's key and value together, in bytes. */
export const maxLabelBytes = 4096;

/**
 * Throws InvalidArgument unless `value` is a valid containerd identifier.
 * `what` names the field in the message ("container id", "namespace", ...).
 */
export function validateIdentifier(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') {
    throw invalidArgument(`${what} must be a non-empty string`);
  }
  if (value.length > maxIdentifierLength) {
    throw invalidArgument(
      `${what} "${value.slice(0, 20)}..." is ${value.length} characters; at most ${maxIdentifierLength} allowed`,
    );
  }
  if (!identifierPattern.test(value)) {
    throw invalidArgument(
      `${what} ${JSON.stringify(value)} is invalid: must match ${identifierPattern.source}`,
    );
  }
  return value;
}

/** Throws InvalidArgument unless `labels` is a string map within containerd's label limits. */
export function validateLabels(labels: unknown): Record<string, string> {
  if (labels === undefined || labels === null) return {};
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    throw invalidArgument('labels must be an object of string values');
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    validateLabel(key, value);
    out[key] = value as string;
  }
  return out;
}

/** Throws InvalidArgument unless one label key and value are acceptable. */
export function validateLabel(key: string, value: unknown): void {
  if (key === '') throw invalidArgument('label key must not be empty');
  if (typeof value !== 'string') {
    throw invalidArgument(`label ${JSON.stringify(key)} must have a string value`);
  }
  const size = utf8Length(key) + utf8Length(value);
  if (size > maxLabelBytes) {
    throw invalidArgument(
      `label ${JSON.stringify(key.slice(0, 40))} is ${size} bytes; key and value together must be at most ${maxLabelBytes}`,
    );
  }
}

/** UTF-8 byte length without touching Node's Buffer (the domain has no I/O imports). */
function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
