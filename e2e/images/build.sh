#!/usr/bin/env bash
# Builds the images the e2e suite and docker-compose.yml use, from static Go
# binaries and FROM scratch, so no image registry is needed:
#   ward:local                    Ward (the repository's Dockerfile)
#   authzed/spicedb:<go.mod pin>  SpiceDB built from the Go module proxy, unless that
#                                 image is already present (e.g. pulled from a registry);
#                                 WARD_REBUILD_SPICEDB=1 rebuilds it anyway.
#   ward-postgres:local           Debian bookworm's PostgreSQL 15 (debootstrap, docker import
#                                 and e2e/images/postgres/), for docker-compose.yml's
#                                 POSTGRES_IMAGE; needs root the first time (debootstrap,
#                                 ~1 minute). Skipped when its base is present
#                                 (WARD_REBUILD_POSTGRES=1 bootstraps it anew) or when
#                                 POSTGRES_IMAGE names another image (e.g. postgres:16).
#                                 WARD_DEBIAN_MIRROR overrides the mirror read from apt's sources.
set -euo pipefail
# SpiceDB v1.57.1 needs Go 1.27 (fetched from the module proxy), unless a newer one is chosen.
case "${GOTOOLCHAIN:-local}" in local) export GOTOOLCHAIN=go1.27.3 ;; esac
cd "$(dirname "$0")/../.."
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -buildvcs=false"

version=$(go list -m -f '{{.Version}}' github.com/authzed/spicedb)
spicedb_image="authzed/spicedb:${version}"
ward_image="${WARD_E2E_WARD_IMAGE:-ward:local}"
postgres_image=ward-postgres:local
postgres_base=ward-postgres-base:local

tmpdirs=()
# --one-file-system: an interrupted debootstrap may leave /proc or /sys mounted in its folder.
cleanup() { [ ${#tmpdirs[@]} -eq 0 ] || rm -rf --one-file-system "${tmpdirs[@]}"; }
trap cleanup EXIT

# image_id prints the ID TAG names now (nothing when absent).
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
# drop_replaced TAG OLD_ID: a rebuild leaves the image TAG named before
# untagged (and, on vfs, a full copy on disk); remove it unless a container
# still runs it or another tag names it.
drop_replaced() {
  if [ -n "$2" ] && [ "$2" != "$(image_id "$1")" ]; then
    docker rmi "$2" >/dev/null 2>&1 || true
  fi
}

echo "building bin/ward"
mkdir -p bin
go build -trimpath -ldflags='-s -w' -o bin/ward ./cmd/ward
echo "building image ${ward_image}"
old=$(image_id "${ward_image}")
DOCKER_BUILDKIT=0 docker build -q -t "${ward_image}" . >/dev/null
drop_replaced "${ward_image}" "${old}"

# An image built before its version was stamped in answers "(devel)", and Ward
# warns about a SpiceDB that does not tell its version: rebuild that one too.
# Business hours need time zone data in SpiceDB (CEL reads the zone at each
# check), and FROM scratch has none: the binary carries it (timetzdata), and
# an image built before it did (no ward.tzdata label) is rebuilt.
if docker image inspect "${spicedb_image}" >/dev/null 2>&1 && [ "${WARD_REBUILD_SPICEDB:-0}" != 1 ] &&
  [ "$(docker image inspect -f '{{index .Config.Labels "ward.tzdata"}}' "${spicedb_image}" 2>/dev/null)" = embedded ] &&
  docker run --rm --network none "${spicedb_image}" version 2>/dev/null | grep -qF "${version}"; then
  echo "image ${spicedb_image} is present; not rebuilding it"
else
  ctx=$(mktemp -d)
  tmpdirs+=("${ctx}")
  echo "building spicedb ${version} from the Go module proxy (a few minutes the first time)"
  # SpiceDB answers its version (to `spicedb version`, and to clients that ask,
  # as Ward does) from this variable, which its own release builds set.
  go build -trimpath -tags timetzdata -ldflags="-s -w -X github.com/jzelinskie/cobrautil/v2.Version=${version}" -o "${ctx}/spicedb" github.com/authzed/spicedb/cmd/spicedb
  go build -trimpath -ldflags='-s -w' -o "${ctx}/grpc_health_probe" ./e2e/images/healthprobe
  cp e2e/images/spicedb/Dockerfile "${ctx}/"
  echo "building image ${spicedb_image}"
  old=$(image_id "${spicedb_image}")
  DOCKER_BUILDKIT=0 docker build -q -t "${spicedb_image}" "${ctx}" >/dev/null
  drop_replaced "${spicedb_image}" "${old}"
fi

# debian_mirror prints the Debian mirror apt uses here: the URIs of the first
# deb822 stanza in /etc/apt/sources.list.d/*.sources that is not the security
# archive, else the first such deb line of /etc/apt/sources.list.
debian_mirror() {
  if [ -n "${WARD_DEBIAN_MIRROR:-}" ]; then
    echo "${WARD_DEBIAN_MIRROR}"
    return
  fi
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "${f}" ] || continue
    uri=$(awk 'BEGIN { RS = "" }
      {
        uri = ""; suites = ""; types = ""; enabled = "yes"
        n = split($0, line, "\n")
        for (i = 1; i <= n; i++) {
          if (line[i] ~ /^URIs:/) { split(line[i], w, /[ \t]+/); uri = w[2] }
          if (line[i] ~ /^Suites:/) suites = line[i]
          if (line[i] ~ /^Types:/) types = line[i]
          if (line[i] ~ /^Enabled:[ \t]*no/) enabled = "no"
        }
        if (uri != "" && enabled == "yes" && types ~ /[ \t]deb([ \t]|$)/ && suites !~ /security/ && uri ~ /debian\/?$/) { print uri; exit }
      }' "${f}")
    if [ -n "${uri}" ]; then
      echo "${uri}"
      return
    fi
  done
  if [ -f /etc/apt/sources.list ]; then
    uri=$(sed -E -n '/security/d; s/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' /etc/apt/sources.list | head -n 1)
    if [ -n "${uri}" ]; then
      echo "${uri}"
      return
    fi
  fi
  echo "no Debian mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list: set WARD_DEBIAN_MIRROR=http://your-mirror/debian" >&2
  return 1
}

# bootstrap_postgres_base installs bookworm's PostgreSQL 15 into a folder with
# debootstrap and imports that folder as ${postgres_base}.
bootstrap_postgres_base() {
  if [ "$(id -u)" != 0 ]; then
    echo "building ${postgres_image} needs root (debootstrap chroots): run 'sudo bash e2e/images/build.sh'" >&2
    command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] ||
      echo "  and install debootstrap first: sudo apt-get install -y debootstrap" >&2
    echo "  (or, with a registry, use its image: POSTGRES_IMAGE=postgres:16 bash e2e/images/build.sh)" >&2
    exit 1
  fi
  if ! command -v debootstrap >/dev/null; then
    echo "installing debootstrap (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  local mirror root log start pid
  mirror=$(debian_mirror)
  root=$(mktemp -d /var/tmp/ward-postgres.XXXXXX)
  tmpdirs+=("${root}")
  log="${root}.log"
  tmpdirs+=("${log}")
  start=${SECONDS}
  echo "bootstrapping Debian bookworm with postgresql-15 from ${mirror} (about a minute)"
  timeout 20m debootstrap --variant=minbase --include=postgresql-15 bookworm "${root}/fs" "${mirror}" >"${log}" 2>&1 &
  pid=$!
  while kill -0 "${pid}" 2>/dev/null; do
    sleep 10
    kill -0 "${pid}" 2>/dev/null && echo "  debootstrap, $((SECONDS - start))s: $(tail -n 1 "${log}")"
  done
  if ! wait "${pid}"; then
    echo "debootstrap failed (or ran over 20 minutes); the end of its log:" >&2
    tail -n 30 "${log}" >&2
    exit 1
  fi
  echo "  debootstrap done in $((SECONDS - start))s"
  # Debian's packaging made a cluster (15/main) the entrypoint does not use;
  # package caches, documentation and translations only take room. So does
  # the JIT (LLVM, 131 MB of 367): without its provider PostgreSQL runs
  # without JIT and says nothing; JIT is for long analytic queries, not SpiceDB's.
  local fs="${root}/fs"
  rm -rf "${fs}/var/lib/postgresql/15" "${fs}/etc/postgresql/15" \
    "${fs}"/usr/lib/postgresql/15/lib/llvmjit* "${fs}/usr/lib/postgresql/15/lib/bitcode" "${fs}"/usr/lib/x86_64-linux-gnu/libLLVM-* \
    "${fs}"/var/cache/apt/archives/*.deb "${fs}"/var/lib/apt/lists/* \
    "${fs}"/usr/share/doc/* "${fs}"/usr/share/man/* "${fs}"/usr/share/info/* "${fs}"/usr/share/locale/*
  chroot "${fs}" install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
  chroot "${fs}" install -d -o postgres -g postgres -m 2777 /run/postgresql
  echo "importing ${fs} as ${postgres_base}"
  replaced_base=$(image_id "${postgres_base}")
  tar -C "${fs}" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
    docker import -c 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "${postgres_base}" >/dev/null
  echo "  ${postgres_base} imported, $((SECONDS - start))s since debootstrap began"
}

if [ -n "${POSTGRES_IMAGE:-}" ] && [ "${POSTGRES_IMAGE}" != "${postgres_image}" ]; then
  echo "POSTGRES_IMAGE is ${POSTGRES_IMAGE}: not building ${postgres_image}"
elif [ "${WARD_REBUILD_POSTGRES:-0}" != 1 ] && ! docker image inspect "${postgres_base}" >/dev/null 2>&1 &&
  docker image inspect "${postgres_image}" >/dev/null 2>&1; then
  echo "image ${postgres_image} is present (without its base ${postgres_base}); not rebuilding it"
else
  if [ "${WARD_REBUILD_POSTGRES:-0}" = 1 ] || ! docker image inspect "${postgres_base}" >/dev/null 2>&1; then
    bootstrap_postgres_base
  else
    echo "image ${postgres_base} is present; not bootstrapping it again (WARD_REBUILD_POSTGRES=1 does)"
  fi
  # Seconds: only the entrypoint goes on the base, so editing it needs no new bootstrap.
  echo "building image ${postgres_image}"
  old=$(image_id "${postgres_image}")
  DOCKER_BUILDKIT=0 docker build -q -t "${postgres_image}" e2e/images/postgres >/dev/null
  drop_replaced "${postgres_image}" "${old}"
  # The base replaced above goes once the image built on it has.
  drop_replaced "${postgres_base}" "${replaced_base:-}"
fi

docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^(${ward_image}|${spicedb_image}|${postgres_image}) "
