#!/usr/bin/env bash
# Runs Ward's end-to-end suite against real containers:
#   bash e2e/run.sh [go test flags...]
# Needs a running Docker engine with bridge networking (the compose tests run
# on networks of their own). Builds the images it needs locally (no registry:
# see e2e/images/build.sh). PostgreSQL-backed tests use WARD_E2E_POSTGRES_URI, a
# PostgreSQL whose user may CREATE DATABASE; when it is unset, this script starts
# the machine's Debian PostgreSQL cluster and uses it.
set -euo pipefail
# SpiceDB v1.57.1 needs Go 1.27 (fetched from the module proxy), unless a newer one is chosen.
case "${GOTOOLCHAIN:-local}" in local) export GOTOOLCHAIN=go1.27.3 ;; esac
cd "$(dirname "$0")/.."

docker info >/dev/null 2>&1 || { echo "e2e: no Docker engine; start dockerd (Debian: apt-get install docker.io docker-compose; dockerd --storage-driver=vfs &)" >&2; exit 1; }

# A run killed before its cleanup (a timeout, a session that ended) leaves its
# cluster, project ward-e2e-cluster-PID, and the restart policy of
# docker-compose.cluster.yml brings it back with the engine: six containers that
# would share this run's cores for the whole run. When PID is no running test
# binary of the suite (e2e.test), remove it.
label=com.docker.compose.project
for project in $(docker ps -a --filter "label=${label}" --format "{{.Label \"${label}\"}}" | grep -E '^ward-e2e-cluster-[0-9]+$' | sort -u); do
  [ "$(cat "/proc/${project##*-}/comm" 2>/dev/null)" = e2e.test ] && continue
  echo "e2e: removing ${project}, left running by an earlier run that was killed"
  ids=$(docker ps -aq --filter "label=${label}=${project}")
  [ -z "${ids}" ] || docker rm -f -v ${ids} >/dev/null 2>&1 || true
  for kind in network volume; do
    ids=$(docker "${kind}" ls -q --filter "label=${label}=${project}")
    [ -z "${ids}" ] || docker "${kind}" rm -f ${ids} >/dev/null 2>&1 || true
  done
done

# ward:local, SpiceDB and ward-postgres:local (the compose stack's PostgreSQL;
# the first build bootstraps it with debootstrap, as root, in a few minutes).
bash e2e/images/build.sh

if [ -z "${WARD_E2E_POSTGRES_URI:-}" ]; then
  if ! command -v pg_lsclusters >/dev/null; then
    echo "e2e: set WARD_E2E_POSTGRES_URI, or install PostgreSQL (apt-get install postgresql)" >&2
    exit 1
  fi
  read -r version cluster _ status _ < <(pg_lsclusters -h | head -n 1)
  if [ "${status}" != online ]; then
    pg_ctlcluster "${version}" "${cluster}" start
    trap 'pg_ctlcluster "${version}" "${cluster}" stop || true' EXIT
  fi
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 && break
    sleep 1
  done
  runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'ward-e2e'" >/dev/null
  export WARD_E2E_POSTGRES_URI="postgres://postgres:ward-e2e@127.0.0.1:5432/postgres?sslmode=disable"
fi

export TESTCONTAINERS_RYUK_DISABLED="${TESTCONTAINERS_RYUK_DISABLED:-true}"
go test -tags e2e -count=1 -timeout 75m "$@" ./e2e/
