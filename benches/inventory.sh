#!/usr/bin/env bash
# Prints what reading packages costs with podman, medians of 5 runs side by side:
# `tcgen inventory --json` and `--sbom` of a real image, and `tcgen diff` of two images against
# the same diff from a saved inventory (one container instead of two) and from two saved
# inventories (none): bash benches/inventory.sh
# Needs .ci/setup-podman (the Debian base image). The two images are that base and the base with
# `patch` added, built here once.
set -euo pipefail
# shellcheck source=benches/setup.sh
source "$(dirname "$0")/setup.sh"
old=localhost/debian12-base
new=localhost/bench-inventory-patch
printf 'FROM %s\nRUN apt-get -o Acquire::Retries=10 update && apt-get install -y --no-install-recommends patch && rm -rf /var/lib/apt/lists/*\n' "$old" > Containerfile
podman build -q -t "$new" . > build.log 2>&1 || { cat build.log; exit 1; }
"$tcgen" inventory --engine podman "$old" --json > old.json
"$tcgen" inventory --engine podman "$new" --json > new.json

# The median wall time of 5 runs of tcgen with the arguments given, in seconds.
timed() {
  for _ in 1 2 3 4 5; do
    start=$(date +%s.%N)
    "$tcgen" "$@" > /dev/null
    echo "$(date +%s.%N) - $start" | bc
  done | median | xargs printf '%.3f'
}

packages=$(python3 -c 'import json,sys; print(len(json.load(open("new.json"))["packages"]))')
echo "image: $new, $packages packages"
printf '%-44s %8s\n' "what" "median s"
printf '%-44s %8s\n' "inventory --json (one container)" "$(timed inventory --engine podman "$new" --json)"
printf '%-44s %8s\n' "inventory --sbom (one container)" "$(timed inventory --engine podman "$new" --sbom)"
printf '%-44s %8s\n' "diff IMAGE IMAGE (two containers)" "$(timed diff --engine podman "$old" "$new")"
printf '%-44s %8s\n' "diff saved.json IMAGE (one container)" "$(timed diff --engine podman old.json "$new")"
printf '%-44s %8s\n' "diff saved.json saved.json (none)" "$(timed diff old.json new.json)"
printf 'SBOM: %s bytes, inventory JSON: %s bytes\n' \
  "$("$tcgen" inventory --engine podman "$new" --sbom | wc -c)" "$(wc -c < new.json)"
