#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for the tests and print its URL on stdout.
# Installs Debian's server package when it is missing. Usage: url=$(bash .ci/postgres.sh)
set -euo pipefail
# A free loopback port unless one is given: another cluster (or an earlier run) may hold the usual ones.
PORT="${ELA_CI_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  echo "installing postgresql..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

DATA="$(mktemp -d /tmp/ela-ci-pg.XXXXXX)"
run_as_pg() {
  # initdb refuses to run as root: use the postgres system user when we are root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres "$DATA"; fi
run_as_pg "$PGBIN/initdb" -D "$DATA" -U ela --auth=trust -E UTF8 >/dev/null
run_as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DATA -c fsync=off" start >&2 \
  || { cat "$DATA/server.log" >&2; exit 1; }
run_as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U ela ela_test
echo "postgresql://ela@127.0.0.1:$PORT/ela_test"
