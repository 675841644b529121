/**
 * Builds the CLI bundle (dist/bundle, run by bin/taskledger.js). Node 20 loads ES modules one
 * by one, at about 1 ms of loader work each: with one code-split build (shared chunks),
 * `taskledger run` loaded 12 modules before its first request, 14 ms of its start-up. Now:
 * - `main.js`: the global flags and the help, loading the command's module and `context.js`;
 * - `context.js` (the client) and one module per client command, each self-contained: a command
 *   loads three modules. Code they share is copied into each, so taskledger's errors are told
 *   by a registered symbol rather than by class (domain/errors.ts);
 * - `server/`: the daemon and the offline admin commands, code-split as before, so that the
 *   daemon loads the gRPC server (and grpc-js) only when asked to serve it;
 * - `../snapshot/`: the client's commands in one CommonJS script, and the start-up snapshot Node
 *   makes of it (src/cli/snapshot-entry.ts), with the path of the Node that made it: the blob
 *   works with that binary only, and bin/taskledger uses it only then.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const repo = fileURLToPath(new URL('..', import.meta.url));
const cliDir = path.join(repo, 'src', 'cli');
const outdir = path.join(repo, 'dist', 'bundle');
const main = path.join(cliDir, 'main.ts');
const serverCommands = ['daemon-command.ts', 'admin-command.ts'];
const clientCommands = readdirSync(cliDir).filter(
  (name) => name.endsWith('-command.ts') && !serverCommands.includes(name),
);

// main.ts imports the context and each command on demand: those stay imports of built files.
const loadedByMain: Plugin = {
  name: 'loaded-by-main',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/(?:context|[a-z-]+-command)\.ts$/ }, (args) => {
      if (args.importer !== main) return undefined;
      const name = args.path.slice(2).replace(/\.ts$/, '.js');
      return {
        path: serverCommands.includes(args.path.slice(2)) ? `./server/${name}` : `./${name}`,
        external: true,
      };
    });
  },
};

const shared: BuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // Native or heavy: loaded from node_modules by the daemon and the gRPC server only.
  external: ['better-sqlite3', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs'],
  // rxjs resolves to its CommonJS build under the `node` condition, which esbuild cannot
  // tree-shake: every CLI call parsed all of rxjs (358 KB, ~35 ms). Its ES module build (the
  // same code) shakes down to the few operators used.
  alias: { rxjs: path.join(repo, 'node_modules', 'rxjs', 'dist', 'esm', 'index.js') },
};
// CommonJS code bundled into the server's modules calls require: the ES modules get one. The
// client's modules have none, and node:module is a millisecond of their start-up.
const withRequire: BuildOptions = {
  banner: {
    js: "import { createRequire as __taskledgerRequire } from 'node:module'; const require = __taskledgerRequire(import.meta.url);",
  },
};

// The snapshot leaves out the daemon and admin commands: bin/taskledger runs those from the bundle.
const serverLeftOut: Plugin = {
  name: 'server-left-out',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/(?:daemon|admin)-command\.ts$/ }, (args) => ({
      path: args.path,
      external: true,
    }));
  },
};
const snapshotDir = path.join(repo, 'dist', 'snapshot');
const snapshotScript = path.join(snapshotDir, 'cli.cjs');

await Promise.all([
  build({ ...shared, entryPoints: [main], outdir, plugins: [loadedByMain] }),
  build({
    ...shared,
    entryPoints: [
      path.join(cliDir, 'context.ts'),
      ...clientCommands.map((n) => path.join(cliDir, n)),
    ],
    outdir,
  }),
  build({
    ...shared,
    entryPoints: serverCommands.map((name) => path.join(cliDir, name)),
    outdir: path.join(outdir, 'server'),
    splitting: true,
    ...withRequire,
  }),
  build({
    ...shared,
    entryPoints: [path.join(cliDir, 'snapshot-entry.ts')],
    outfile: snapshotScript,
    format: 'cjs',
    plugins: [serverLeftOut],
  }),
]);

const blob = path.join(snapshotDir, 'cli.blob');
execFileSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', snapshotScript], {
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: '' },
});
writeFileSync(path.join(snapshotDir, 'cli.node'), `${process.execPath}\n`);
