import { packageVersion } from '../api/package-version.ts';
import type { CliContext } from './context.ts';
import { printJson, println } from './output.ts';

/** `taskledger version`: the client's version, and the daemon's when it answers. */
export async function versionCommand(ctx: CliContext): Promise<number> {
  const server = await ctx.client('version').version();
  if (ctx.json) printJson({ client: packageVersion, server });
  else {
    println(`Client: ${packageVersion}`);
    println(`Server: ${server.version} (pid ${server.pid}, root ${server.root})`);
    const standby = server.standby_monitors;
    if (standby) {
      const why = standby.last_error === undefined ? '' : ` (last failure: ${standby.last_error})`;
      println(`Standby monitors: ${standby.ready} of ${standby.target} ready${why}`);
    }
  }
  return 0;
}
