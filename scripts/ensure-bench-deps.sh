#!/usr/bin/env bash
# Installs the peers `npm run bench` compares taskledger with, from Debian like everything else:
# runc, conmon, containerd (containerd, its runc shim and `ctr`) and podman. The bench must run
# the same tools users would pick instead, so nothing here is built or downloaded by hand.
# Quiet and fast when everything is present; `apt-get update` runs only when something is missing.
set -euo pipefail

# package name -> a file it provides, so presence is checked without asking dpkg for each one.
declare -A provides=(
  [runc]=/usr/sbin/runc
  [conmon]=/usr/bin/conmon
  [containerd]=/usr/bin/containerd-shim-runc-v2
  [podman]=/usr/bin/podman
)

missing=()
for pkg in "${!provides[@]}"; do
  [[ -x ${provides[$pkg]} ]] || missing+=("$pkg")
done

((${#missing[@]} == 0)) && exit 0

if ((EUID != 0)); then
  echo "ensure-bench-deps: missing ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "ensure-bench-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# Recommends stay out, as in ensure-system-deps.sh: Podman's hard dependencies are enough for
# `podman run --rootfs` here (checked on Debian 12's podman 4.3).
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
