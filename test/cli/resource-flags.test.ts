import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseByteSize, resourcesFromFlags } from '../../src/cli/resource-flags.ts';

describe('tasks update flags', () => {
  it('reads sizes as Docker and Podman do, in powers of 1024', () => {
    expect(parseByteSize('64m', 'memory')).toBe(64 * 1024 * 1024);
    expect(parseByteSize('1G', 'memory')).toBe(1024 ** 3);
    expect(parseByteSize('1.5k', 'memory')).toBe(1536);
    expect(parseByteSize('4096', 'memory')).toBe(4096);
    expect(parseByteSize('-1', 'memory-swap')).toBe(-1);
    expect(() => parseByteSize('12x', 'memory')).toThrow(
      '--memory must be a size such as 64m, 1g or 512k (or -1 for none), not "12x"',
    );
    expect(() => parseByteSize('0', 'memory')).toThrow(/--memory must be a size/);
  });

  it('turns the flags into OCI LinuxResources', () => {
    expect(
      resourcesFromFlags({ memory: '64m', cpus: '0.5', 'pids-limit': '32', 'cpu-shares': '512' }),
    ).toEqual({
      memory: { limit: 67108864 },
      cpu: { quota: 50000, period: 100000, shares: 512 },
      pids: { limit: 32 },
    });
    expect(() => resourcesFromFlags({ cpus: '0' })).toThrow(/--cpus must be a number of CPUs/);
    expect(() => resourcesFromFlags({})).toThrow(/^tasks update needs a limit/);
  });

  it('starts from a --resources file, or stdin, that the flags override', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'taskledger-resources-')), 'r.json');
    writeFileSync(file, JSON.stringify({ memory: { limit: 1, swap: 2 }, blockIO: { weight: 10 } }));
    expect(resourcesFromFlags({ resources: file, memory: '1k' })).toEqual({
      memory: { limit: 1024, swap: 2 },
      blockIO: { weight: 10 },
    });
    expect(resourcesFromFlags({ resources: '-' }, () => '{"pids":{"limit":5}}')).toEqual({
      pids: { limit: 5 },
    });
    expect(() => resourcesFromFlags({ resources: '-' }, () => '{')).toThrow(
      /^--resources - is not valid JSON/,
    );
  });
});
