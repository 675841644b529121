import { describe, expect, it } from 'vitest';
import { TaskledgerError } from '../../src/domain/errors.ts';
import { validateResources } from '../../src/domain/linux-resources.ts';

const refusal = (value: unknown): string => {
  try {
    validateResources(value);
  } catch (error) {
    if (error instanceof TaskledgerError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'accepted';
};

describe('task update resources', () => {
  it('accepts the groups runc updates, with their spec types', () => {
    const resources = {
      memory: { limit: 67108864, swap: -1 },
      cpu: { quota: 50000, period: 100000, cpus: '0-1' },
      pids: { limit: 32 },
      blockIO: { weight: 500 },
      unified: { 'memory.high': '50000000' },
    };
    expect(validateResources(resources)).toBe(resources);
  });

  it('names the field that is wrong', () => {
    expect(refusal([])).toBe('InvalidArgument: resources must be a JSON object');
    expect(refusal({})).toMatch(/^InvalidArgument: resources must set at least one limit/);
    expect(refusal({ memory: { limits: 5 } })).toBe(
      'InvalidArgument: resources.memory.limits cannot be updated (memory takes limit, reservation, swap)',
    );
    expect(refusal({ memory: { limit: '64m' } })).toBe(
      'InvalidArgument: resources.memory.limit must be an integer',
    );
    expect(refusal({ cpu: { quota: 1.5 } })).toBe(
      'InvalidArgument: resources.cpu.quota must be an integer',
    );
    expect(refusal({ cpu: { cpus: 1 } })).toBe(
      'InvalidArgument: resources.cpu.cpus must be a string',
    );
    expect(refusal({ pid: { limit: 1 } })).toMatch(
      /^InvalidArgument: resources.pid is not a resource group/,
    );
    expect(refusal({ pids: 5 })).toBe('InvalidArgument: resources.pids must be a JSON object');
    expect(refusal({ unified: { 'memory.high': 5 } })).toBe(
      'InvalidArgument: resources.unified."memory.high" must be a string',
    );
  });

  it('refuses what runc update would drop without a word, or applies only at create', () => {
    expect(refusal({ memory: { swappiness: 10 } })).toBe(
      'InvalidArgument: resources.memory.swappiness cannot be updated (memory takes limit, reservation, swap)',
    );
    expect(refusal({ devices: [] })).toBe(
      'InvalidArgument: resources.devices cannot be updated on a running task (runc applies it at create)',
    );
  });
});
