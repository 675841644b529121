#!/usr/bin/env bash
# Installs the system packages the runc runtime driver and its tests need: runc, conmon, socat
# (relays a task's stdin into conmon's SOCK_SEQPACKET attach socket), busybox-static (the source
# of the test rootfs), and containerd for the stock `ctr` client the gRPC tests drive. Quiet and fast when everything is present;
# `apt-get update` runs only when something is missing, because it is slow and needs the network.
set -euo pipefail

# package name -> a file it provides, so presence is checked without asking dpkg for each one.
declare -A provides=(
  [runc]=/usr/sbin/runc
  [conmon]=/usr/bin/conmon
  [socat]=/usr/bin/socat
  [busybox-static]=/bin/busybox
  [containerd]=/usr/bin/ctr
)

missing=()
for pkg in "${!provides[@]}"; do
  # busybox (dynamic) also ships /bin/busybox; only the static build works inside a bare rootfs.
  if [[ $pkg == busybox-static ]]; then
    dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  elif [[ ! -x ${provides[$pkg]} ]]; then
    missing+=("$pkg")
  fi
done

((${#missing[@]} == 0)) && exit 0

if ((EUID != 0)); then
  echo "ensure-system-deps: missing ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "ensure-system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
