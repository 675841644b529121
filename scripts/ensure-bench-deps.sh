#!/usr/bin/env bash
# Installs the peers `npm run bench` compares taskledger with, from Debian like everything else:
# runc, conmon, containerd (containerd, its runc shim and `ctr`) and podman. The bench must run
# the same tools users would pick instead, so nothing here is built or downloaded by hand.
# Podman's hard dependencies are enough for `podman run --rootfs` here (checked on Debian 12's
# podman 4.3).
set -euo pipefail
source "$(dirname "$0")/lib/ensure-packages.sh"

ensure_packages ensure-bench-deps \
  runc=/usr/sbin/runc \
  conmon=/usr/bin/conmon \
  containerd=/usr/bin/containerd-shim-runc-v2 \
  podman=/usr/bin/podman
