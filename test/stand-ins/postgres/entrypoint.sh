#!/bin/bash
# The official postgres image's start-up, reduced to what chippy's Compose file uses: on an empty PGDATA,
# initdb with POSTGRES_USER (and POSTGRES_PASSWORD), pg_hba by POSTGRES_HOST_AUTH_METHOD, POSTGRES_DB
# created, /docker-entrypoint-initdb.d/*.sql and *.sh run once; then the server, listening everywhere.
set -euo pipefail
if [ "${1:-}" != postgres ]; then exec "$@"; fi
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo 'error: POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)' >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s' "${POSTGRES_PASSWORD:-}" > "$pwfile"
  # initdb refuses an empty password file: with trust and no password, the user gets none.
  password=()
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then password=(--pwfile="$pwfile"); fi
  initdb --username="$user" "${password[@]}" --auth-local=trust --auth-host="$auth" -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  printf 'host all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  if [ "$db" != postgres ]; then psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres -c "CREATE DATABASE \"$db\"" >/dev/null; fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) psql -v ON_ERROR_STOP=1 --username "$user" --dbname "$db" -f "$f" ;;
      *.sh) . "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo 'PostgreSQL init process complete; ready for start up.'
fi
shift
exec postgres -c listen_addresses='*' "$@"
