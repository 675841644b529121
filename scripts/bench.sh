#!/usr/bin/env bash
# `npm run bench`: taskledger against runc, containerd and Podman on this machine. Installs what
# is missing, starts a PRIVATE containerd and a private taskledger daemon (own root, state and
# socket under one temp dir; the system's /run/containerd and services are left alone), runs
# scripts/bench.ts, and removes everything again on any exit (containers, monitors, shims,
# mounts, daemons, the temp dir). Sizes: BENCH_ROUNDS, BENCH_THROUGHPUT_TASKS, BENCH_IN_FLIGHT,
# BENCH_THROUGHPUT_ROUNDS, BENCH_MEMORY_TASKS, BENCH_DAEMON_TASKS; BENCH_EVENT_STORE=0 skips the
# (slow) event store part; BENCH_README=0 leaves README.md alone.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

if ((EUID != 0)); then
  echo "bench: run as root (runc, conmon, containerd and podman need it)" >&2
  exit 1
fi

bash scripts/setup.sh
bash scripts/ensure-bench-deps.sh

# A short path: conmon's and containerd's unix sockets must stay under 108 bytes.
dir=$(mktemp -d /tmp/tl-bench-XXXXXX)
containerd_pid=
taskledger_pid=
cold_pid=
podman_flags=(--root "$dir/podman/root" --runroot "$dir/podman/run" --tmpdir "$dir/podman/tmp")

# Removes runc containers under a private runc root (`delete --force` kills them too).
runc_wipe() {
  local root=$1 id
  [[ -d $root ]] || return 0
  for id in $(runc --root "$root" list -q 2>/dev/null); do
    runc --root "$root" delete --force "$id" >/dev/null 2>&1 || true
  done
}

cleanup() {
  local status=$? pid target root
  set +e
  trap - EXIT INT TERM
  echo "bench: cleaning up $dir" >&2
  for pid in "$taskledger_pid" "$cold_pid"; do
    [[ -n $pid ]] || continue
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  for root in "$dir"/taskledger/state/runc/* "$dir"/taskledger/state/standby/runc \
    "$dir"/taskledger-cold/state/runc/* "$dir"/breakdown/runtime-runc/runc/* \
    "$dir/breakdown/runc-root" "$dir/runc/root" "$dir/ctr/runc" "$dir"/ctr/runc/*; do
    runc_wipe "$root"
  done
  if [[ -x /usr/bin/podman && -d $dir/podman ]]; then
    podman "${podman_flags[@]}" rm --all --force --time 0 >/dev/null 2>&1
  fi
  if [[ -n $containerd_pid ]]; then
    kill -TERM "$containerd_pid" 2>/dev/null
    wait "$containerd_pid" 2>/dev/null
  fi
  # Monitors and shims of this run only: their command lines name this run's private temp dir.
  for pid in $(pgrep -f -- "$dir"); do
    [[ $pid != "$$" ]] && kill -KILL "$pid" 2>/dev/null
  done
  # Deepest mounts first (taskledger's rootfs binds, podman's storage).
  for target in $(findmnt -rn -o TARGET | grep -F -- "$dir" | sort -r); do
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null
  done
  rm -rf "$dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits for a unix socket to appear while its server is alive.
wait_for_socket() {
  local socket=$1 pid=$2 what=$3 log=$4
  for _ in $(seq 1 300); do
    [[ -S $socket ]] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench: $what exited before serving; its log:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "bench: $what did not create $socket within 30 s" >&2
  return 1
}

mkdir -p "$dir/containerd" "$dir/taskledger" "$dir/taskledger-cold" "$dir/podman" "$dir/ctr"
cat >"$dir/containerd/config.toml" <<EOF
# A private containerd: its own root, state and sockets; the CRI plugin is off (no Kubernetes).
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/containerd/containerd.sock"
[ttrpc]
  address = "$dir/containerd/containerd.sock.ttrpc"
[debug]
  address = "$dir/containerd/debug.sock"
EOF
containerd --config "$dir/containerd/config.toml" >"$dir/containerd/log" 2>&1 &
containerd_pid=$!
wait_for_socket "$dir/containerd/containerd.sock" "$containerd_pid" containerd "$dir/containerd/log"

bin/taskledger daemon --root "$dir/taskledger/root" --state "$dir/taskledger/state" \
  --address "$dir/taskledger/api.sock" 2>"$dir/taskledger/daemon.log" &
taskledger_pid=$!
wait_for_socket "$dir/taskledger/api.sock" "$taskledger_pid" "taskledger daemon" "$dir/taskledger/daemon.log"
# The same without standby monitors: every create starts its conmon (the ordinary path).
bin/taskledger daemon --root "$dir/taskledger-cold/root" --state "$dir/taskledger-cold/state" \
  --address "$dir/taskledger-cold/api.sock" --standby-monitors 0 \
  2>"$dir/taskledger-cold/daemon.log" &
cold_pid=$!
wait_for_socket "$dir/taskledger-cold/api.sock" "$cold_pid" "taskledger daemon (no standby)" \
  "$dir/taskledger-cold/daemon.log"

BENCH_DIR=$dir \
  BENCH_ROOTFS=${TASKLEDGER_ROOTFS:-$repo/.cache/rootfs} \
  BENCH_CONTAINERD_ADDRESS=$dir/containerd/containerd.sock \
  BENCH_CONTAINERD_PID=$containerd_pid \
  BENCH_TASKLEDGER_ADDRESS=$dir/taskledger/api.sock \
  BENCH_TASKLEDGER_PID=$taskledger_pid \
  BENCH_TASKLEDGER_COLD_ADDRESS=$dir/taskledger-cold/api.sock \
  node_modules/.bin/tsx scripts/bench.ts
