#!/usr/bin/env bash
# Builds the images the e2e suite and docker-compose.yml use, from static Go
# binaries and FROM scratch, so no image registry is needed:
#   ward:local                    Ward (the repository's Dockerfile)
#   authzed/spicedb:<go.mod pin>  SpiceDB built from the Go module proxy, unless that
#                                 image is already present (e.g. pulled from a registry);
#                                 WARD_REBUILD_SPICEDB=1 rebuilds it anyway.
set -euo pipefail
# SpiceDB v1.57.1 needs Go 1.27 (fetched from the module proxy), unless a newer one is chosen.
case "${GOTOOLCHAIN:-local}" in local) export GOTOOLCHAIN=go1.27.3 ;; esac
cd "$(dirname "$0")/../.."
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -buildvcs=false"

version=$(go list -m -f '{{.Version}}' github.com/authzed/spicedb)
spicedb_image="authzed/spicedb:${version}"
ward_image="${WARD_E2E_WARD_IMAGE:-ward:local}"

echo "building bin/ward"
mkdir -p bin
go build -trimpath -ldflags='-s -w' -o bin/ward ./cmd/ward
echo "building image ${ward_image}"
DOCKER_BUILDKIT=0 docker build -q -t "${ward_image}" . >/dev/null

# An image built before its version was stamped in answers "(devel)", and Ward
# warns about a SpiceDB that does not tell its version: rebuild that one too.
if docker image inspect "${spicedb_image}" >/dev/null 2>&1 && [ "${WARD_REBUILD_SPICEDB:-0}" != 1 ] &&
  docker run --rm --network none "${spicedb_image}" version 2>/dev/null | grep -qF "${version}"; then
  echo "image ${spicedb_image} is present; not rebuilding it"
else
  ctx=$(mktemp -d)
  trap 'rm -rf "${ctx}"' EXIT
  echo "building spicedb ${version} from the Go module proxy (a few minutes the first time)"
  # SpiceDB answers its version (to `spicedb version`, and to clients that ask,
  # as Ward does) from this variable, which its own release builds set.
  go build -trimpath -ldflags="-s -w -X github.com/jzelinskie/cobrautil/v2.Version=${version}" -o "${ctx}/spicedb" github.com/authzed/spicedb/cmd/spicedb
  go build -trimpath -ldflags='-s -w' -o "${ctx}/grpc_health_probe" ./e2e/images/healthprobe
  cp e2e/images/spicedb/Dockerfile "${ctx}/"
  echo "building image ${spicedb_image}"
  DOCKER_BUILDKIT=0 docker build -q -t "${spicedb_image}" "${ctx}" >/dev/null
fi
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^(${ward_image}|${spicedb_image}) "
