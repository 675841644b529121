#!/usr/bin/env bash
# Builds a minimal busybox root filesystem in DIR from the host's static busybox
# (package busybox-static): bin/busybox, a symlink per applet, /etc/passwd and /etc/group, and
# the empty mount points runc expects. Idempotent: rerunning on a built DIR only fills gaps.
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
busybox=${BUSYBOX:-/bin/busybox}

if [[ ! -x $busybox ]]; then
  echo "build-rootfs: $busybox is missing; run scripts/ensure-system-deps.sh" >&2
  exit 1
fi

mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,proc,sys,dev,root,var,run}
chmod 1777 "$dir/tmp"

# Copy only when changed, so that a rebuild never rewrites a binary a running container uses.
if ! cmp -s "$busybox" "$dir/bin/busybox"; then
  cp "$busybox" "$dir/bin/busybox.new"
  chmod 0755 "$dir/bin/busybox.new"
  mv -f "$dir/bin/busybox.new" "$dir/bin/busybox"
fi

# `busybox --list-full` prints paths like usr/bin/env; link each to /bin/busybox.
while IFS= read -r applet; do
  [[ -z $applet || $applet == bin/busybox || $applet == linuxrc ]] && continue
  link="$dir/$applet"
  [[ -L $link || -e $link ]] || ln -s /bin/busybox "$link"
done < <("$busybox" --list-full)

[[ -s $dir/etc/passwd ]] || printf '%s\n' \
  'root:x:0:0:root:/root:/bin/sh' \
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$dir/etc/passwd"
[[ -s $dir/etc/group ]] || printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$dir/etc/group"
[[ -e $dir/etc/hostname ]] || echo taskledger >"$dir/etc/hostname"
exit 0
