#!/usr/bin/env bash
# PostgreSQL's server binaries for the tests (test/helpers/postgres.ts starts its own throw-away
# clusters on 127.0.0.1): install Debian's package when no /usr/lib/postgresql/*/bin/initdb is
# there, and stop the default cluster the package starts (the tests need none of it).
set -euo pipefail
have_initdb() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; }
if ! have_initdb && ! command -v initdb >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header | while read -r version cluster _; do
      $sudo pg_ctlcluster "$version" "$cluster" stop || true
    done
  fi
fi
have_initdb || { echo "PostgreSQL's initdb is still missing after the install" >&2; exit 1; }
