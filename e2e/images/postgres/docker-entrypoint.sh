#!/bin/bash
# Entrypoint of ward-postgres:local, Debian's PostgreSQL 15 in an image built
# without a registry (e2e/images/build.sh). It honours the part of the official
# postgres image's interface that docker-compose.yml uses, so either image runs
# the same service definition:
#   POSTGRES_PASSWORD  the superuser's password (required, unless
#                      POSTGRES_HOST_AUTH_METHOD=trust)
#   POSTGRES_USER      the superuser (default postgres)
#   POSTGRES_DB        a database created at initialisation (default: $POSTGRES_USER)
#   POSTGRES_HOST_AUTH_METHOD  network authentication (default scram-sha-256)
#   PGDATA             the data directory (default /var/lib/postgresql/data)
# On an empty data directory it runs initdb, allows password logins from any
# address, listens on all addresses and creates the database. The command
# `postgres [ARGS...]` (or just `-c ...` flags) starts the server as the
# postgres user with those arguments; any other command runs as given.
# Not supported: /docker-entrypoint-initdb.d scripts, POSTGRES_INITDB_ARGS.
set -euo pipefail

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
socket_dir=/var/run/postgresql

log() { echo "ward-postgres: $*" >&2; }

if [ $# -eq 0 ] || [ "${1:0:1}" = - ]; then
  set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
  exec "$@"
fi

# As root: give the postgres user its data and socket directories, then start
# again as that user (PostgreSQL refuses to run as root).
if [ "$(id -u)" = 0 ]; then
  mkdir -p "${PGDATA}" "${socket_dir}"
  chmod 0700 "${PGDATA}"
  chmod 2777 "${socket_dir}"
  find "${PGDATA}" \! -user postgres -exec chown postgres:postgres {} +
  chown postgres:postgres "${socket_dir}"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "${PGDATA}/PG_VERSION" ]; then
  POSTGRES_USER="${POSTGRES_USER:-postgres}"
  POSTGRES_DB="${POSTGRES_DB:-${POSTGRES_USER}}"
  auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${auth}" != trust ]; then
    log "the data directory ${PGDATA} is empty and POSTGRES_PASSWORD is not set:"
    log "set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust, which lets anyone who reaches the port in)"
    exit 1
  fi
  log "initialising ${PGDATA} for superuser ${POSTGRES_USER}"
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"${pwfile}"
  # Unix-socket logins inside the container are trusted, as in the official image.
  initdb -D "${PGDATA}" --username="${POSTGRES_USER}" --pwfile="${pwfile}" \
    --auth-local=trust --auth-host="${auth}" --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "${pwfile}"
  printf '\nhost all all all %s\n' "${auth}" >>"${PGDATA}/pg_hba.conf"
  printf "\nlisten_addresses = '*'\n" >>"${PGDATA}/postgresql.conf"

  # A server only this script reaches (its socket in a private directory, no
  # TCP), so that the health check (pg_isready) fails until the database exists.
  init_socket=$(mktemp -d)
  pg_ctl -D "${PGDATA}" -w -o "-c listen_addresses='' -c unix_socket_directories=${init_socket}" start >/dev/null
  if [ "${POSTGRES_DB}" != postgres ]; then
    log "creating database ${POSTGRES_DB}"
    psql -v ON_ERROR_STOP=1 -h "${init_socket}" -U "${POSTGRES_USER}" -d postgres -q \
      -v db="${POSTGRES_DB}" <<<'CREATE DATABASE :"db";'
  fi
  pg_ctl -D "${PGDATA}" -m fast -w stop >/dev/null
  rmdir "${init_socket}"
  log "initialised; starting PostgreSQL"
fi

exec "$@"
