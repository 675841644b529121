import type { VersionJson } from '../api/wire-types.ts';
import { packageVersion } from '../api/package-version.ts';
import type { Route } from './http-router.ts';

/** `GET /v1/version`: who is serving, and where. */
export function versionRoutes(config: { root: string; state: string }): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/version',
      handler() {
        const body: VersionJson = {
          version: packageVersion,
          revision: '',
          pid: process.pid,
          root: config.root,
          state: config.state,
        };
        return { body };
      },
    },
  ];
}
