# Sourced by ensure-system-deps.sh and ensure-bench-deps.sh: installs the Debian packages that
# are missing, quietly and fast when everything is present; `apt-get update` runs only when
# something is missing, because it is slow and needs the network.

# ensure_packages WHO PKG=FILE...
# Each PKG counts as present when FILE is executable (no dpkg query per package); FILE `dpkg`
# asks dpkg instead, for a package whose file another package also ships. Recommends stay out:
# the hard dependencies are enough for everything taskledger and its bench run. WHO names the
# caller in messages.
ensure_packages() {
  local who=$1 spec pkg file
  shift
  local missing=()
  for spec in "$@"; do
    pkg=${spec%%=*}
    file=${spec#*=}
    if [[ $file == dpkg ]]; then
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
        missing+=("$pkg")
    elif [[ ! -x $file ]]; then
      missing+=("$pkg")
    fi
  done

  ((${#missing[@]} == 0)) && return 0

  if ((EUID != 0)); then
    echo "$who: missing ${missing[*]}; run this script as root" >&2
    return 1
  fi

  echo "$who: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
