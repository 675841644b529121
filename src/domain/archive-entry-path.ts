import { invalidArgument } from './errors.ts';

/** Prefix of an OCI whiteout file: `.wh.NAME` deletes NAME of the layers below. */
export const whiteoutPrefix = '.wh.';

/** The OCI opaque marker: the directory holding it hides everything of the layers below. */
export const opaqueMarker = '.wh..wh..opq';

/** What a layer entry means for the layers below it. */
export type Whiteout =
  | { readonly kind: 'remove'; readonly parts: readonly string[] }
  | { readonly kind: 'opaque'; readonly dir: readonly string[] };

/**
 * Splits an archive entry's name into path components below the image root. `./` prefixes and
 * repeated or trailing slashes are dropped (an empty result is the root itself). Absolute names
 * and `..` components are refused: an archive may only write inside the root it is unpacked in.
 */
export function entryPathParts(name: string): string[] {
  if (name.includes('\0'))
    throw invalidArgument(`archive entry ${JSON.stringify(name)} has a NUL byte in its name`);
  if (name.startsWith('/')) {
    throw invalidArgument(
      `archive entry "${name}" has an absolute path: refusing to unpack outside the image root`,
    );
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw invalidArgument(
      `archive entry "${name}" has a ".." component: refusing to unpack outside the image root`,
    );
  }
  return parts;
}

/** Whether an entry (given as {@link entryPathParts}) is an OCI whiteout, and what it hides. */
export function whiteoutOf(parts: readonly string[]): Whiteout | undefined {
  const base = parts[parts.length - 1];
  if (base === undefined || !base.startsWith(whiteoutPrefix)) return undefined;
  const dir = parts.slice(0, -1);
  if (base === opaqueMarker) return { kind: 'opaque', dir };
  const hidden = base.slice(whiteoutPrefix.length);
  if (hidden === '' || hidden === '.' || hidden === '..') {
    throw invalidArgument(`archive entry "${parts.join('/')}" is a whiteout of nothing`);
  }
  return { kind: 'remove', parts: [...dir, hidden] };
}

/**
 * Whether a relative symlink target climbs above the image root from the link's directory
 * (`etc/x -> ../../../host`). Absolute targets do not: the container resolves them inside its
 * own root, and the unpacker never writes through them.
 */
export function symlinkTargetEscapes(linkParts: readonly string[], target: string): boolean {
  if (target.startsWith('/')) return false;
  let depth = linkParts.length - 1; // the link's directory
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    depth += part === '..' ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}
