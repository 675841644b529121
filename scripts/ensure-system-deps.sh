#!/usr/bin/env bash
# Installs the system packages the runc runtime driver and its tests need: runc, conmon, socat
# (relays a task's stdin into conmon's SOCK_SEQPACKET attach socket), busybox-static (the source
# of the test rootfs), and containerd for the stock `ctr` client the gRPC tests drive.
set -euo pipefail
source "$(dirname "$0")/lib/ensure-packages.sh"

# busybox (dynamic) also ships /bin/busybox; only the static build works inside a bare rootfs,
# so dpkg is asked about busybox-static.
ensure_packages ensure-system-deps \
  runc=/usr/sbin/runc \
  conmon=/usr/bin/conmon \
  socat=/usr/bin/socat \
  busybox-static=dpkg \
  containerd=/usr/bin/ctr
