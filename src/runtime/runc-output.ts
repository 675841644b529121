import type { RuntimeStatus, TaskMetrics } from '../ports/runtime.ts';

/**
 * Parsers for what runc 1.1 prints. Pure: the driver runs runc, these only read its output.
 */

/** One container as `runc state` or `runc list --format json` describes it. */
export interface RuncContainerState {
  /** The container id. */
  readonly id: string;
  /** runc's status word, mapped onto {@link RuntimeStatus}. */
  readonly status: RuntimeStatus;
  /** Host pid of the init process (0 once stopped). */
  readonly pid: number;
  /** The bundle directory runc recorded. */
  readonly bundle: string;
}

/**
 * The human part of runc's stderr. runc logs in logfmt when stderr is not a terminal
 * (`time="..." level=error msg="container does not exist"`); this returns the `msg` values,
 * unescaped and joined, or the trimmed text when there are none.
 */
export function runcErrorMessage(stderr: string): string {
  const messages: string[] = [];
  for (const match of stderr.matchAll(/\bmsg="((?:[^"\\]|\\.)*)"/g)) {
    messages.push(unescapeLogfmt(match[1] ?? ''));
  }
  return messages.length > 0 ? messages.join('; ') : stderr.trim();
}

function unescapeLogfmt(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text.replace(/\\(.)/g, '$1');
  }
}

const statuses: ReadonlySet<string> = new Set(['created', 'running', 'paused', 'stopped']);

const toStatus = (value: unknown): RuntimeStatus =>
  typeof value === 'string' && statuses.has(value) ? (value as RuntimeStatus) : 'unknown';

function toContainerState(value: unknown): RuncContainerState {
  const record = asRecord(value);
  return {
    id: typeof record.id === 'string' ? record.id : '',
    status: toStatus(record.status),
    pid: toNumber(record.pid),
    bundle: typeof record.bundle === 'string' ? record.bundle : '',
  };
}

/** Parses `runc state ID`. */
export const parseRuncState = (stdout: string): RuncContainerState =>
  toContainerState(JSON.parse(stdout));

/** Parses `runc list --format json`; runc prints `null` for an empty root. */
export function parseRuncList(stdout: string): RuncContainerState[] {
  const parsed: unknown = JSON.parse(stdout.trim() === '' ? 'null' : stdout);
  return Array.isArray(parsed) ? parsed.map(toContainerState) : [];
}

/** Parses `runc ps --format json ID`: an array of host pids (`null` when empty). */
export function parseRuncPs(stdout: string): number[] {
  const parsed: unknown = JSON.parse(stdout.trim() === '' ? 'null' : stdout);
  return Array.isArray(parsed)
    ? parsed.filter((pid): pid is number => typeof pid === 'number')
    : [];
}

/**
 * Parses `runc events --stats ID` (`{"type":"stats","data":{cpu,memory,pids,...}}`) into
 * {@link TaskMetrics}. runc omits zero fields (a pids limit of 0 means none), so absent is 0.
 * An unlimited memory limit is cgroup v1's 9223372036854771712, which a JS number rounds.
 */
export function parseRuncStats(stdout: string): TaskMetrics {
  const data = asRecord(asRecord(JSON.parse(stdout)).data);
  const cpuUsage = asRecord(asRecord(data.cpu).usage);
  const memoryUsage = asRecord(asRecord(data.memory).usage);
  const pids = asRecord(data.pids);
  return {
    cpu: {
      usageNs: toNumber(cpuUsage.total),
      userNs: toNumber(cpuUsage.user),
      kernelNs: toNumber(cpuUsage.kernel),
      perCpuNs: Array.isArray(cpuUsage.percpu) ? cpuUsage.percpu.map(toNumber) : [],
    },
    memory: {
      usageBytes: toNumber(memoryUsage.usage),
      limitBytes: toNumber(memoryUsage.limit),
      maxUsageBytes: toNumber(memoryUsage.max),
      cacheBytes: toNumber(asRecord(data.memory).cache),
    },
    pids: { current: toNumber(pids.current), limit: toNumber(pids.limit) },
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

const toNumber = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : 0;

/**
 * The error code a runc failure maps to, from runc's own message: a missing container is
 * NotFound; a container in the wrong state (stopped, not paused, already running) is
 * FailedPrecondition; anything else is Internal.
 */
export function runcErrorCode(message: string): 'NotFound' | 'FailedPrecondition' | 'Internal' {
  if (/container does not exist|container .* does not exist/i.test(message)) return 'NotFound';
  if (
    /not running|not paused|is paused|is stopped|cannot (?:start|delete|pause|resume)|already/i.test(
      message,
    )
  ) {
    return 'FailedPrecondition';
  }
  return 'Internal';
}
