#!/bin/sh
# Builds ccache from a source tarball checked against its sha256 and installs it under
# /usr/local. Reads CCACHE_VERSION, CCACHE_URL and CCACHE_SHA256.
set -eu
: "${CCACHE_VERSION:?set CCACHE_VERSION}" "${CCACHE_URL:?set CCACHE_URL}" "${CCACHE_SHA256:?set CCACHE_SHA256}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl --fail --silent --show-error --location --retry 3 --output "$work/ccache.tar.gz" "$CCACHE_URL"
echo "$CCACHE_SHA256  $work/ccache.tar.gz" | sha256sum -c -
tar -xzf "$work/ccache.tar.gz" -C "$work"
cd "$work/ccache-$CCACHE_VERSION"
./configure --prefix=/usr/local
make -j"$(getconf _NPROCESSORS_ONLN)"
make install
/usr/local/bin/ccache --version | head -n 1
