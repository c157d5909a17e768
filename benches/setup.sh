# Sourced by each benchmark script: builds the release tcgen and enters a scratch folder that is
# removed on exit. Sets `here` (the repository), `tcgen` (the binary) and `work` (the scratch
# folder), and defines `median`, which prints the median of the numbers it reads, one per line.
# shellcheck shell=bash
here=$(cd "$(dirname "${BASH_SOURCE[1]}")/.." && pwd)
# shellcheck disable=SC2034 # read by the scripts that source this one
tcgen="$here/target/release/tcgen"
(cd "$here" && cargo build --release --quiet)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
