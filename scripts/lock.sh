#!/usr/bin/env bash
# The pinned runtime: uv.lock (every package, version and hash, for every platform) and its
# exports requirements/runtime.txt and requirements/dev.txt, which scripts/setup.sh installs
# with pip --require-hashes. pyproject.toml keeps ranges for people who install the library.
#   bash scripts/lock.sh           re-resolve after editing pyproject.toml's dependencies
#   bash scripts/lock.sh --upgrade  move every pin to the newest release the ranges allow
#   bash scripts/lock.sh --check   fail if the lock or its exports do not match pyproject.toml
#                                  (offline: it reads only the lock and pyproject.toml)
set -euo pipefail
cd "$(dirname "$0")/.."
uv=.venv/bin/uv
[ -x "$uv" ] || uv=uv
export SSL_CERT_FILE="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"

export_to() {  # $1: file, rest: uv export options
  local file=$1
  shift
  "$uv" export --frozen --no-emit-project --no-header --quiet --format requirements-txt "$@" -o "$file"
}

case "${1:-}" in
  --check)
    if ! "$uv" lock --check --offline --quiet --python 3.11; then
      echo "lock: uv.lock does not match pyproject.toml; run bash scripts/lock.sh" >&2
      exit 1
    fi
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    export_to "$tmp/runtime.txt"
    export_to "$tmp/dev.txt" --extra dev
    for name in runtime dev; do
      if ! cmp -s "$tmp/$name.txt" "requirements/$name.txt"; then
        echo "lock: requirements/$name.txt is not the export of uv.lock; run bash scripts/lock.sh" >&2
        exit 1
      fi
    done
    echo "lock: uv.lock and requirements/ match pyproject.toml"
    ;;
  ""|--upgrade)
    "$uv" lock --python 3.11 ${1:+--upgrade}
    mkdir -p requirements
    export_to requirements/runtime.txt
    export_to requirements/dev.txt --extra dev
    ;;
  *)
    echo "usage: bash scripts/lock.sh [--check|--upgrade]" >&2
    exit 2
    ;;
esac
