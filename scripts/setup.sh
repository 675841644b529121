#!/usr/bin/env bash
# Brings a fresh clone to a runnable state: npm dependencies (npm ci, once), the Debian packages
# taskledger drives (runc, conmon, busybox-static), the compiled CLI in dist/, and the busybox
# rootfs the demo and the tests run containers on. Idempotent and quick when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d node_modules/.bin || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

bash scripts/ensure-system-deps.sh

# The CLI runs compiled JavaScript: loading TypeScript at each call would cost more than the call.
bash scripts/build.sh

bash scripts/build-rootfs.sh "${TASKLEDGER_ROOTFS:-$PWD/.cache/rootfs}"
