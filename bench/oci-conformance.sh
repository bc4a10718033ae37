#!/usr/bin/env bash
# Builds the official OCI distribution-spec conformance suite (v1.1.1, conformance/) with
# Debian's Go 1.19 in GOPATH mode (no module proxy here) and runs it against a Slipway it
# starts (bench/oci-conformance.ts). Optional: not part of `npm test`, and nothing fetched
# is committed. Needs three source trees, given by the caller:
#   DISTRIBUTION_SPEC_DIR  opencontainers/distribution-spec at tag v1.1.1
#   GINKGO_DIR             onsi/ginkgo at tag v2.11.0
#   REGGIE_DIR             bloodorangeio/reggie at tag v0.6.1
# and these Debian packages: golang-go golang-gomega-dev golang-github-go-resty-resty-dev
# golang-github-google-uuid-dev golang-github-opencontainers-go-digest-dev
# golang-github-mitchellh-mapstructure-dev golang-github-asaskevich-govalidator-dev
# golang-golang-x-net-dev golang-golang-x-sys-dev golang-golang-x-text-dev
# golang-github-go-logr-logr-dev
# Usage: DISTRIBUTION_SPEC_DIR=… GINKGO_DIR=… REGGIE_DIR=… bash bench/oci-conformance.sh
set -euo pipefail
: "${DISTRIBUTION_SPEC_DIR:?a checkout of opencontainers/distribution-spec at v1.1.1}"
: "${GINKGO_DIR:?a checkout of onsi/ginkgo at v2.11.0}"
: "${REGGIE_DIR:?a checkout of bloodorangeio/reggie at v0.6.1}"
here=$(cd "$(dirname "$0")/.." && pwd)
gopath=$(mktemp -d /tmp/slipway-oci-gopath.XXXXXX)
trap 'rm -rf "$gopath"' EXIT

# GOPATH mode maps an import path to a directory, so a module's /v2 suffix is a directory.
src=$gopath/src/github.com
mkdir -p "$src/onsi/ginkgo" "$src/bloodorangeio" "$src/go-resty/resty" "$src/opencontainers/distribution-spec"
cp -r "$GINKGO_DIR" "$src/onsi/ginkgo/v2"
cp -r "$REGGIE_DIR" "$src/bloodorangeio/reggie"
ln -s /usr/share/gocode/src/github.com/go-resty/resty "$src/go-resty/resty/v2"
cp -r "$DISTRIBUTION_SPEC_DIR/conformance" "$src/opencontainers/distribution-spec/conformance"
(cd "$src/opencontainers/distribution-spec/conformance" &&
  GOPATH="$gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOCACHE="$gopath/cache" go test -c -o "$gopath/conformance.test" .)

cd "$here" && node bench/oci-conformance.ts "$gopath/conformance.test"
