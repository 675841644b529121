#!/usr/bin/env bash
# The main job, end to end on this machine: a daemon on a fresh root, a real runc container on a
# busybox rootfs, its lifecycle, and the events the log recorded for it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2

work=$(mktemp -d /tmp/taskledger-demo.XXXXXX)
export TASKLEDGER_ADDRESS=$work/taskledger.sock
rootfs=${TASKLEDGER_ROOTFS:-$PWD/.cache/rootfs}
tl() { bin/taskledger "$@"; }
say() { printf '\n\033[1m$ taskledger %s\033[0m\n' "$*"; }
show() { say "$@"; tl "$@"; }

bin/taskledger daemon --root "$work/root" --state "$work/state" --address "$TASKLEDGER_ADDRESS" 2>"$work/daemon.log" &
daemon=$!
cleanup() {
  tl tasks rm --force sleeper >/dev/null 2>&1 || true
  tl containers rm sleeper >/dev/null 2>&1 || true
  kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do [[ -S $TASKLEDGER_ADDRESS ]] && break; sleep 0.05; done
show version

say "run --rm --label demo=yes --rootfs $rootfs hello -- sh -c 'echo hello from $(hostname); exit 3'"
set +e
tl run --rm --label demo=yes --rootfs "$rootfs" hello -- sh -c 'echo hello from $(hostname); exit 3'
echo "(exit status $?)"
set -e

show run -d --label tier=demo --rootfs "$rootfs" sleeper -- sleep 300
show containers ls
show tasks ls
show tasks exec --exec-id probe sleeper -- sh -c 'echo exec sees pid 1 as: $(cat /proc/1/comm)'
show tasks pause sleeper
show tasks ls
show tasks resume sleeper
show tasks kill -s SIGKILL sleeper
show tasks wait sleeper || true
show tasks rm sleeper
show containers rm sleeper
show events
say "(daemon stopped: verify is an offline check)"
kill -TERM "$daemon"
wait "$daemon" || true
show admin verify --root "$work/root"
