import { invalidArgument } from './errors.ts';

/** An OCI `LinuxResources` object (runtime-spec config-linux.md), as `runc update` reads it. */
export type LinuxResources = Readonly<Record<string, unknown>>;

/**
 * The fields of each resource group that `runc update` (1.1) applies, with the JSON type each
 * must have. Others it reads and drops without a word (swappiness, kernel memory, which 1.1 no
 * longer sets, disableOOMKiller...): they are refused here, since a caller would believe them
 * applied.
 */
const groups: Readonly<Record<string, Readonly<Record<string, 'integer' | 'string'>>>> = {
  memory: { limit: 'integer', reservation: 'integer', swap: 'integer' },
  cpu: {
    shares: 'integer',
    quota: 'integer',
    period: 'integer',
    realtimeRuntime: 'integer',
    realtimePeriod: 'integer',
    cpus: 'string',
    mems: 'string',
  },
  pids: { limit: 'integer' },
  blockIO: { weight: 'integer' },
};

/** Groups runc sets only when it creates the container. */
const fixedAtCreate = new Set(['devices', 'hugepageLimits', 'network', 'rdma']);

/**
 * Checks the resources of a task update: a JSON object of OCI `LinuxResources` groups whose
 * fields have their spec types. InvalidArgument names the first field that is wrong; unknown
 * fields are refused too, so that a typo (`memory.limits`) is not silently a no-op.
 */
export function validateResources(value: unknown): LinuxResources {
  const resources = object(value, 'resources');
  if (Object.keys(resources).length === 0)
    throw invalidArgument('resources must set at least one limit (memory, cpu, pids, blockIO)');
  for (const [name, group] of Object.entries(resources)) {
    if (fixedAtCreate.has(name))
      throw invalidArgument(
        `resources.${name} cannot be updated on a running task (runc applies it at create)`,
      );
    if (name === 'unified') {
      for (const [file, setting] of Object.entries(object(group, 'resources.unified')))
        if (typeof setting !== 'string')
          throw invalidArgument(`resources.unified."${file}" must be a string`);
      continue;
    }
    const fields = groups[name];
    if (!fields)
      throw invalidArgument(
        `resources.${name} is not a resource group (memory, cpu, pids, blockIO, unified)`,
      );
    for (const [field, setting] of Object.entries(object(group, `resources.${name}`))) {
      const type = fields[field];
      if (!type)
        throw invalidArgument(
          `resources.${name}.${field} cannot be updated (${name} takes ${Object.keys(fields).join(', ')})`,
        );
      if (!hasType(setting, type))
        throw invalidArgument(
          `resources.${name}.${field} must be ${type === 'integer' ? 'an integer' : `a ${type}`}`,
        );
    }
  }
  return resources;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidArgument(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function hasType(value: unknown, type: 'integer' | 'string'): boolean {
  return type === 'integer' ? Number.isSafeInteger(value) : typeof value === type;
}
