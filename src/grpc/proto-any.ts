import { invalidArgument } from '../domain/errors.ts';

/** A `google.protobuf.Any` as proto-loader reads and writes it: the bytes stay undecoded. */
export interface ProtoAny {
  /** Names the type of `value`, e.g. `types.containerd.io/opencontainers/runtime-spec/1/Spec`. */
  readonly type_url: string;
  /** The encoded value: JSON bytes for OCI types, protobuf bytes for containerd's own. */
  readonly value: Uint8Array;
}

/** Type URL under which containerd clients send an OCI runtime spec (JSON bytes). */
export const specTypeUrl = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';

/** Type URL under which containerd clients send an OCI process spec (JSON bytes), for exec. */
export const processTypeUrl = 'types.containerd.io/opencontainers/runtime-spec/1/Process';

/** Type URL under which containerd clients send OCI `LinuxResources` (JSON bytes), for update. */
export const resourcesTypeUrl = 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources';

/** An Any holding `value` as JSON bytes, as containerd's typeurl packs OCI types. */
export function jsonAny(typeUrl: string, value: unknown): ProtoAny {
  return { type_url: typeUrl, value: Buffer.from(JSON.stringify(value), 'utf8') };
}

/**
 * The JSON object inside an Any of the expected type. InvalidArgument when the Any is missing,
 * of another type, or not a JSON object: the runtime could do nothing with it.
 */
export function objectFromJsonAny(
  any: ProtoAny | null | undefined,
  typeUrl: string,
  what: string,
): Record<string, unknown> {
  if (!any || any.value.length === 0) throw invalidArgument(`${what} is missing`);
  if (any.type_url !== typeUrl) {
    throw invalidArgument(`${what} has type ${JSON.stringify(any.type_url)}; expected ${typeUrl}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(any.value).toString('utf8'));
  } catch (error) {
    throw invalidArgument(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** An opaque Any (runtime options) as JSON for the log: `{type_url, value}` with base64 bytes, or null. */
export function anyToJson(
  any: ProtoAny | null | undefined,
): { type_url: string; value: string } | null {
  if (!any) return null;
  return { type_url: any.type_url, value: Buffer.from(any.value).toString('base64') };
}

/**
 * The Any stored by {@link anyToJson}, byte for byte; null for anything else (options given as
 * plain JSON through the HTTP API have no protobuf form, and containerd would not know them).
 */
export function anyFromJson(stored: unknown): ProtoAny | null {
  if (typeof stored !== 'object' || stored === null) return null;
  const { type_url: typeUrl, value } = stored as Record<string, unknown>;
  if (typeof typeUrl !== 'string' || typeof value !== 'string') return null;
  return { type_url: typeUrl, value: Buffer.from(value, 'base64') };
}
