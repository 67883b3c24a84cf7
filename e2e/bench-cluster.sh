#!/usr/bin/env bash
# What dispatch costs on one machine: starts docker-compose.cluster.yml's
# PostgreSQL and three SpiceDB nodes with dispatch, plus one more SpiceDB node
# on the same datastore without dispatch, and runs `ward-bench cluster` against
# node 1 of the cluster and the lone node in one run (docs/deployment.md):
#   bash e2e/bench-cluster.sh [ward-bench cluster flags, e.g. --relationships 1000000]
# Needs a running Docker engine with bridge networking; removes every container,
# network and volume it made when it ends.
set -euo pipefail
# SpiceDB v1.57.1 needs Go 1.27 (fetched from the module proxy), unless a newer one is chosen.
case "${GOTOOLCHAIN:-local}" in local) export GOTOOLCHAIN=go1.27.3 ;; esac
cd "$(dirname "$0")/.."

docker info >/dev/null 2>&1 || { echo "bench-cluster: no Docker engine; start dockerd (Debian: apt-get install docker.io docker-compose; dockerd --storage-driver=vfs &)" >&2; exit 1; }
bash e2e/images/build.sh

secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
project="ward-bench-cluster-$$"
export POSTGRES_PASSWORD=$(secret) SPICEDB_PRESHARED_KEY=$(secret) WARD_API_KEY=$(secret)
export POSTGRES_IMAGE="${POSTGRES_IMAGE:-ward-postgres:local}"
spicedb_image="${SPICEDB_IMAGE:-authzed/spicedb:$(go list -m -f '{{.Version}}' github.com/authzed/spicedb)}"
export SPICEDB_IMAGE="${spicedb_image}"
compose=(docker-compose -f docker-compose.cluster.yml -p "${project}")
docker compose version >/dev/null 2>&1 && compose=(docker compose -f docker-compose.cluster.yml -p "${project}")
lone="${project}-lone"

cleanup() {
  docker rm -f "${lone}" >/dev/null 2>&1 || true
  "${compose[@]}" down -v --remove-orphans -t 5 >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "bench-cluster: starting PostgreSQL and three SpiceDB nodes (${project})" >&2
"${compose[@]}" up -d postgres spicedb-migrate spicedb-1 spicedb-2 spicedb-3 >&2

# The lone node: the cluster's settings (docker-compose.cluster.yml) but
# without dispatch, and not under the spicedb-dispatch alias, so the cluster
# never sends it work.
docker run -d --name "${lone}" --network "${project}_default" \
  -e SPICEDB_GRPC_PRESHARED_KEY="${SPICEDB_PRESHARED_KEY}" \
  -e SPICEDB_DATASTORE_ENGINE=postgres \
  -e SPICEDB_DATASTORE_CONN_URI="postgres://spicedb:${POSTGRES_PASSWORD}@postgres:5432/spicedb?sslmode=disable&default_query_exec_mode=cache_statement" \
  -e SPICEDB_DATASTORE_CONN_POOL_READ_MAX_OPEN=30 -e SPICEDB_DATASTORE_CONN_POOL_WRITE_MAX_OPEN=10 \
  -e SPICEDB_HTTP_ENABLED=false -e SPICEDB_DISPATCH_CACHE_ENABLED=false -e SPICEDB_DISPATCH_CLUSTER_CACHE_ENABLED=false \
  -e SPICEDB_SKIP_RELEASE_CHECK=true -e SPICEDB_WRITE_RELATIONSHIPS_MAX_UPDATES_PER_CALL=65535 \
  "${spicedb_image}" serve --telemetry-endpoint= >/dev/null

address() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }
node1=$("${compose[@]}" ps -q spicedb-1)
for c in "${node1}" $("${compose[@]}" ps -q spicedb-2) $("${compose[@]}" ps -q spicedb-3) "${lone}"; do
  for i in $(seq 1 120); do
    docker exec "${c}" grpc_health_probe -addr=localhost:50051 >/dev/null 2>&1 && break
    [ "${i}" -lt 120 ] || { echo "bench-cluster: SpiceDB container ${c} is not serving after 2 minutes; its log:" >&2; docker logs --tail 20 "${c}" >&2; exit 1; }
    sleep 1
  done
done
echo "bench-cluster: every node serves; the cluster's node 1 is $(address "${node1}"), the lone node $(address "${lone}")" >&2

go run ./cmd/ward-bench cluster \
  --target "3 nodes, dispatch=$(address "${node1}"):50051" \
  --target "1 node=$(address "${lone}"):50051" "$@"

echo "bench-cluster: what PostgreSQL holds (live relationships; bytes of the relationship table with its indexes, and of the database):" >&2
"${compose[@]}" exec -T postgres psql -U spicedb -d spicedb -tAc \
  "SELECT count(*) FILTER (WHERE deleted_xid = '9223372036854775807'::xid8), pg_total_relation_size('relation_tuple'), pg_database_size('spicedb') FROM relation_tuple" >&2
echo "bench-cluster: the containers' memory at the end:" >&2
docker stats --no-stream --format '{{.Name}}\t{{.MemUsage}}\t{{.CPUPerc}}' "${lone}" $("${compose[@]}" ps -q) >&2
