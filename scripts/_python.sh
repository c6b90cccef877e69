# Sourced by the scripts: a virtual environment in .venv with Ninefold installed.
# Usage: install_python [EXTRAS]
install_python() {
  local extras="${1:-}"
  local python="${PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Ninefold needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --editable ".${extras:+[$extras]}"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# Runs "$@" with the process clock at DATE (anything `date -d` reads; give a zone, e.g.
# "2029-07-01 12:00:00 UTC", or it is read in $TZ), through Debian's libfaketime. The
# monotonic clock stays real, and tests/faketime/monotonic_sleep.c, preloaded before
# libfaketime, works around its bug with monotonic sleeps (docs/architecture.md, "How the
# tests hold time"). Usage: with_faked_clock DATE COMMAND...
with_faked_clock() {
  local date="$1"
  shift
  local source=tests/faketime/monotonic_sleep.c
  local shim=.venv/faketime/monotonic_sleep.so
  if [ ! -f "$shim" ] || [ "$source" -nt "$shim" ]; then
    mkdir -p "$(dirname "$shim")"
    gcc -shared -fPIC -O2 -Wall -Werror -o "$shim" "$source" -ldl
  fi
  LD_PRELOAD="$PWD/$shim${LD_PRELOAD:+:$LD_PRELOAD}" faketime --exclude-monotonic "$date" "$@"
}

# Starts the local PostgreSQL clusters when nothing answers on 127.0.0.1:5432 and they are
# installed; fails when there is nothing to start.
start_local_postgres() {
  pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && return 0
  command -v pg_ctlcluster >/dev/null || return 1
  echo "Starting the local PostgreSQL cluster"
  for version in /etc/postgresql/*; do
    as_root pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
  done
}
