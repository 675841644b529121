import { startupSnapshot } from 'node:v8';
import { main } from './main.ts';

/**
 * Entry point of the CLI's start-up snapshot (dist/snapshot/, made by scripts/build-cli.ts and
 * used by bin/taskledger): Node deserializes the CLI's code already loaded and evaluated instead
 * of reading, compiling and linking its modules at every call, about 9 ms of a `taskledger run`
 * here. The snapshot holds the client's commands; the daemon and admin commands run from the ES
 * module bundle, where they can load what the snapshot cannot (a started snapshot cannot
 * `import()`).
 */
startupSnapshot.setDeserializeMainFunction(async () => {
  // Started from a snapshot, argv has no script: Node, then our arguments.
  process.exitCode = await main(process.argv.slice(1));
});

// Evaluated at build time, so that the snapshot holds the commands' code ready to run.
void Promise.all([
  import('./context.ts'),
  import('./run-command.ts'),
  import('./tasks-command.ts'),
  import('./containers-command.ts'),
  import('./version-command.ts'),
]);
