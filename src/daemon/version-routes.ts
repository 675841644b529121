import type { VersionJson } from '../api/wire-types.ts';
import { packageVersion } from '../api/package-version.ts';
import type { Runtime } from '../ports/runtime.ts';
import type { Route } from './http-router.ts';

/** `GET /v1/version`: who is serving, where, and the runtime's standby monitors. */
export function versionRoutes(
  config: { root: string; state: string },
  runtime: Pick<Runtime, 'standbyStatus'>,
): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/version',
      handler() {
        const standby = runtime.standbyStatus?.();
        const body: VersionJson = {
          version: packageVersion,
          revision: '',
          pid: process.pid,
          root: config.root,
          state: config.state,
          ...(standby && {
            standby_monitors: {
              target: standby.target,
              ready: standby.ready,
              ...(standby.lastError === undefined ? {} : { last_error: standby.lastError }),
            },
          }),
        };
        return { body };
      },
    },
  ];
}
