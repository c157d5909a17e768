#!/usr/bin/env bash
# Prints how much apt downloads when an image is rebuilt after one package is added to its list,
# with the package cache mount as tcgen writes it (docker-clean removed) and as it was before
# (docker-clean left in place), on real podman: bash benches/apt-cache-reuse.sh
# Needs .ci/setup-podman. The base is Debian 12 with the docker-clean hook that Debian's and
# Ubuntu's official images ship.
set -euo pipefail
# shellcheck source=benches/setup.sh
source "$(dirname "$0")/setup.sh"

cat >"$work/Containerfile" <<'BASE'
FROM localhost/debian12-base
RUN printf '%s\n' \
  'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
  'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
  'Dir::Cache::pkgcache "";' 'Dir::Cache::srcpkgcache "";' >/etc/apt/apt.conf.d/docker-clean
BASE
podman build -q -t localhost/debian12-docker-clean -f "$work/Containerfile" "$work" >/dev/null

spec() {
  cat <<SPEC
image_prefix: reuse-
source: https://example.com/toolchain
defaults:
  platforms: [linux/amd64]
  lsb_release: false
  checks:
    programs: [file]
distros:
  apt$1:
    base_image: localhost/debian12-docker-clean
    family: apt
    label: reuse
    packages: [$2]
SPEC
}

# Builds the distro twice, the second time with one package more, and prints what apt fetched
# then. $1 names the variant; $2 edits the Dockerfile (a sed script, or nothing).
measure() {
  local variant=$1 edit=$2 dir="$work/$1"
  mkdir -p "$dir"
  rm -rf /var/tmp/buildah-cache/tcgen-apt"$variant"-*
  for packages in "file, libarchive13" "file, libarchive13, bsdextrautils"; do
    spec "$variant" "$packages" >"$dir/distros.yaml"
    (cd "$dir" && "$tcgen" render >/dev/null)
    [ -z "$edit" ] || sed -i "$edit" "$dir/generated/apt$variant.Dockerfile"
    podman build --no-cache -f "$dir/generated/apt$variant.Dockerfile" "$dir/generated/context" >"$dir/log" 2>&1
  done
  printf '%-32s %s\n' "$variant:" "$(grep -o 'Need to get .* of archives' "$dir/log" | head -1)"
}

echo "rebuild after adding one package (bsdextrautils) to file, libarchive13:"
measure current ""
measure before "s|rm -f /etc/apt/apt.conf.d/docker-clean|true|; /Keep-Downloaded-Packages/d"
