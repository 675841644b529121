#!/usr/bin/env bash
# Builds dist/: the typed library (tsc, for `import { connect } from 'taskledger'`) and the CLI
# bundle (esbuild). The CLI runs from the bundle because Node 20 loads ESM file by file: the
# ~700 modules of kysely, rxjs and execa cost over a second per call, a few bundled chunks ~0.1 s.
# Code splitting keeps each command's code in its own chunk, loaded only when that command runs.
# rxjs resolves to its CommonJS build under the `node` condition, which esbuild cannot tree-shake:
# every CLI call parsed all of rxjs (358 KB, ~35 ms here). Its ES module build (the same code)
# shakes down to the few operators used.
set -euo pipefail
cd "$(dirname "$0")/.."

node_modules/.bin/tsc -p tsconfig.build.json
rm -rf dist/bundle
node_modules/.bin/esbuild src/cli/main.ts \
  --bundle --splitting --format=esm --platform=node --target=node20 \
  --outdir=dist/bundle --log-level=warning \
  --external:better-sqlite3 --external:@grpc/grpc-js --external:@grpc/proto-loader --external:protobufjs \
  --alias:rxjs=./node_modules/rxjs/dist/esm/index.js \
  --banner:js="import { createRequire as __taskledgerRequire } from 'node:module'; const require = __taskledgerRequire(import.meta.url);"
