#!/usr/bin/env bash
# The whole suite, as CI runs it: setup, type-check, lint, format check, then vitest (real
# SQLite, real runc).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== type-check" >&2
node_modules/.bin/tsc -p tsconfig.json --noEmit
echo "== lint" >&2
node_modules/.bin/eslint .
echo "== format" >&2
node_modules/.bin/prettier --check --log-level warn .
echo "== tests" >&2
# vitest exits non-zero when it finds no test file (passWithNoTests is off in vitest.config.ts).
node_modules/.bin/vitest run "$@"
