#!/usr/bin/env bash
# Builds dist/: the typed library (tsc, for `import { connect } from 'taskledger'`) and the CLI
# bundle (esbuild, scripts/build-cli.ts). The CLI runs from the bundle because Node 20 loads ESM
# file by file: the ~700 modules of kysely, rxjs and execa cost over a second per call; the
# bundle loads two files per command.
set -euo pipefail
cd "$(dirname "$0")/.."

node_modules/.bin/tsc -p tsconfig.build.json
rm -rf dist/bundle dist/snapshot
node_modules/.bin/tsx scripts/build-cli.ts
