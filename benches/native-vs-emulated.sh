#!/usr/bin/env bash
# Prints how long one small fixture image takes to build cold for the machine's own platform
# (linux/amd64) and for linux/arm64 under QEMU user emulation, median of 3 each, side by side,
# and their ratio: what building each platform on a native runner saves.
# bash benches/native-vs-emulated.sh (needs .ci/setup-podman and .ci/setup-multiarch)
# Each run renders the fixture under a distro name of its own, so that no layer and no package
# cache of an earlier run serves it: every build is cold.
set -euo pipefail
# shellcheck source=benches/setup.sh
source "$(dirname "$0")/setup.sh"

# Builds the fixture cold for $1 and prints the seconds it took.
build_cold() {
  local name="cold$RANDOM$RANDOM"
  sed "s/^  debian12:/  $name:/" "$here/tests/fixtures/e2e-multi.yaml" >distros.yaml
  "$tcgen" render >/dev/null
  local start end
  start=$(date +%s.%N)
  "$tcgen" build --engine podman --platform "$1" "$name" >build.out 2>&1 || {
    cat build.out >&2
    exit 1
  }
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

native=()
emulated=()
for _ in 1 2 3; do
  native+=("$(build_cold linux/amd64)")
  emulated+=("$(build_cold linux/arm64)")
done
amd64=$(printf '%s\n' "${native[@]}" | median)
arm64=$(printf '%s\n' "${emulated[@]}" | median)
printf 'linux/amd64 (native):   median %.1f s (runs: %s)\n' "$amd64" "${native[*]}"
printf 'linux/arm64 (emulated): median %.1f s (runs: %s)\n' "$arm64" "${emulated[*]}"
printf 'emulated / native: %.1fx\n' "$(echo "$arm64 / $amd64" | bc -l)"
