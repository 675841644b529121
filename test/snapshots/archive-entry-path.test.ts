import { describe, expect, it } from 'vitest';
import {
  entryPathParts,
  symlinkTargetEscapes,
  whiteoutOf,
} from '../../src/domain/archive-entry-path.ts';

describe('archive entry paths', () => {
  it('drops ./ prefixes and repeated or trailing slashes', () => {
    expect(entryPathParts('./usr//bin/')).toEqual(['usr', 'bin']);
    expect(entryPathParts('./')).toEqual([]);
  });

  it('refuses an absolute name, naming the entry', () => {
    expect(() => entryPathParts('/etc/passwd')).toThrow(
      'archive entry "/etc/passwd" has an absolute path',
    );
  });

  it('refuses a .. component anywhere in the name', () => {
    expect(() => entryPathParts('../evil')).toThrow('archive entry "../evil" has a ".." component');
    expect(() => entryPathParts('a/../../evil')).toThrow('".." component');
  });

  it('reads a whiteout as the removal of its sibling', () => {
    expect(whiteoutOf(['etc', '.wh.motd'])).toEqual({ kind: 'remove', parts: ['etc', 'motd'] });
    expect(whiteoutOf(['etc', 'motd'])).toBeUndefined();
  });

  it('reads the opaque marker as hiding its directory', () => {
    expect(whiteoutOf(['var', 'cache', '.wh..wh..opq'])).toEqual({
      kind: 'opaque',
      dir: ['var', 'cache'],
    });
  });

  it('lets absolute symlink targets be (the container resolves them in its own root)', () => {
    expect(symlinkTargetEscapes(['bin', 'sh'], '/bin/busybox')).toBe(false);
  });

  it('flags a relative symlink target that climbs above the root', () => {
    expect(symlinkTargetEscapes(['etc', 'x'], '../../host')).toBe(true);
    expect(symlinkTargetEscapes(['etc', 'mtab'], '../proc/self/mounts')).toBe(false);
    expect(symlinkTargetEscapes(['lib'], 'usr/lib')).toBe(false);
  });
});
