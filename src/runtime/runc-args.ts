/**
 * argv builders for the runc CLI (runc 1.1). Pure, so the exact command lines are unit-tested
 * without a process. Every command carries `--root`: taskledger keeps its own runc state
 * directory per namespace and never touches runc's default root or anyone else's.
 */

const withRoot = (root: string, ...rest: string[]): string[] => ['--root', root, ...rest];

/** `runc state ID`: JSON with `status` and `pid`. */
export const runcStateArgs = (root: string, id: string): string[] => withRoot(root, 'state', id);

/** `runc list --format json`: every container in the root (`null` when there are none). */
export const runcListArgs = (root: string): string[] => withRoot(root, 'list', '--format', 'json');

/** `runc start ID`: runs the user process of a created container. */
export const runcStartArgs = (root: string, id: string): string[] => withRoot(root, 'start', id);

/** `runc kill [--all] ID SIGNAL`: runc accepts the signal as a number. */
export function runcKillArgs(root: string, id: string, signal: number, all: boolean): string[] {
  if (!Number.isInteger(signal) || signal <= 0 || signal > 64) {
    throw new RangeError(`signal must be an integer in 1..64, got ${signal}`);
  }
  return withRoot(root, 'kill', ...(all ? ['--all'] : []), id, String(signal));
}

/** `runc delete [--force] ID`: `--force` also kills a container that is still running or created. */
export const runcDeleteArgs = (root: string, id: string, force: boolean): string[] =>
  withRoot(root, 'delete', ...(force ? ['--force'] : []), id);

/** `runc pause ID`: freezes the container's cgroup. */
export const runcPauseArgs = (root: string, id: string): string[] => withRoot(root, 'pause', id);

/** `runc resume ID`: thaws it. */
export const runcResumeArgs = (root: string, id: string): string[] => withRoot(root, 'resume', id);

/** `runc ps --format json ID`: a JSON array of the host pids in the container. */
export const runcPsArgs = (root: string, id: string): string[] =>
  withRoot(root, 'ps', '--format', 'json', id);

/** `runc events --stats ID`: one JSON stats event, then exit. */
export const runcStatsArgs = (root: string, id: string): string[] =>
  withRoot(root, 'events', '--stats', id);

/** `runc update --resources FILE ID`: applies the OCI `LinuxResources` JSON in FILE. */
export const runcUpdateArgs = (root: string, id: string, file: string): string[] =>
  withRoot(root, 'update', '--resources', file, id);
