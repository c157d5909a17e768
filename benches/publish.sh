#!/usr/bin/env bash
# Prints the wall time of `tcgen publish --engine podman` moving the four name tags of a
# fixture fleet, single-platform and two-platform, on the local registry: bash benches/publish.sh
# Needs .ci/setup-podman and .ci/setup-multiarch (the two-platform base list). Publish copies
# manifests only, so the images' content does not matter: each digest tag gets a copy of a
# Debian base (a single-platform image, or a two-platform list), and two fleets of different
# images alternate (a spec change and its revert, each a commit), so that every timed run moves
# all four tags; the script checks that it did.
set -euo pipefail
# shellcheck source=benches/setup.sh
source "$(dirname "$0")/setup.sh"
cp "$here/tests/fixtures/e2e-fleet.yaml" distros.yaml
git init -q && git config user.email bench@example.com && git config user.name bench

# Two different images (the amd64 and the arm64 base), and two different two-platform lists
# (the base list, and the same list in Docker v2s2 form, whose manifest differs).
single_sources=(containers-storage:localhost/debian12-base containers-storage:localhost/debian12-base-arm64)
v2s2_list=localhost:5055/bench-publish-v2s2-list-$$
skopeo copy -q --all --format v2s2 --dest-tls-verify=false docker://localhost:5055/tcgen-base/debian12 "docker://$v2s2_list" >/dev/null
list_sources=(docker://localhost:5055/tcgen-base/debian12 "docker://$v2s2_list")

# Pushes a copy of $1 under the digest tag of every distro of the current spec, in $2.
push_fleet() {
  "$tcgen" list --json | python3 -c '
import json, sys
for entry in json.load(sys.stdin):
    print(entry["digest_tag"])' | while read -r tag; do
    skopeo copy -q --all --dest-tls-verify=false "$1" "docker://$2/$tag" >/dev/null
  done
}

# Commits the spec with the fleet-wide check $1 and pushes its fleet from $2 into $3.
fleet() {
  sed -i "s/programs: \[.*\]/programs: [$1]/" distros.yaml
  "$tcgen" render >/dev/null
  git add -A && git commit -qm "programs $1"
  push_fleet "$2" "$3"
}

for mode in single two-platform; do
  sources=("${single_sources[@]}")
  [ "$mode" = two-platform ] && sources=("${list_sources[@]}")
  namespace="localhost:5055/bench-publish-$mode-$$"
  fleet sh "${sources[0]}" "$namespace"
  "$tcgen" publish --engine podman --registry "$namespace" >/dev/null 2>&1
  times=()
  for round in 1 2 3; do
    if [ $((round % 2)) = 1 ]; then
      fleet "sh, ls" "${sources[1]}" "$namespace"
    else
      fleet sh "${sources[0]}" "$namespace"
    fi
    start=$(date +%s.%N)
    said=$("$tcgen" publish --engine podman --registry "$namespace" 2>&1)
    end=$(date +%s.%N)
    case "$said" in
      *"published: every name tag (4) now points at this build"*) ;;
      *) echo "round $round moved nothing: $said" >&2; exit 1 ;;
    esac
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s: publish moving 4 name tags, median of 3: %.2f s (runs: %s)\n' \
    "$mode" "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
done
