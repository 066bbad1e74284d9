#!/usr/bin/env bash
# Interleaved A/B timing of two (or more) journeydoc binaries on one handbook.
#
#   benches/ab.sh DIR ROUNDS "label:command" "label:command" ...
#
# Each round runs every command once, in turn, after moving DIR/public aside
# (outside the timing, as benches/compare.sh does; the moved copies are
# deleted at the end: deleting thousands of files just before a build makes
# the file system's inode allocator slow to create the next ones), then
# prints per label the median wall time, min, max,
# the median CPU time (user + system) and the median peak RSS (/usr/bin/time).
# The previous build's files are flushed to disk (`sync`) before each run, so
# no run pays for another's write-back. This machine's speed drifts by ±30 %
# over minutes: runs side by side, round after round, are the only fair
# comparison (see BENCHMARKS.md). Example:
#
#   cp target/release/journeydoc /tmp/jd-new
#   benches/ab.sh /tmp/c10k/journeydoc 4 "old:/tmp/jd-old --root . --quiet build" \
#                                        "new:/tmp/jd-new --root . --quiet build"
set -euo pipefail
dir=$1 rounds=$2
shift 2
cd "$dir"
trash=$(mktemp -d "$dir/.ab-trash.XXXXXX")
trap 'rm -rf "$trash"' EXIT
declare -A times
for _ in $(seq "$rounds"); do
  for spec in "$@"; do
    label=${spec%%:*} cmd=${spec#*:}
    if [[ -e public ]]; then mv public "$trash/$(date +%s%N)"; fi
    sync
    /usr/bin/time -o /tmp/ab.time -f "%e %M %U %S" bash -c "$cmd" >/dev/null 2>&1
    times[$label]="${times[$label]:-} $(tail -1 /tmp/ab.time)"
  done
done
for spec in "$@"; do
  label=${spec%%:*}
  echo "$label ${times[$label]}" | python3 -c '
import sys, statistics
label, *v = sys.stdin.read().split()
wall = [float(x) for x in v[0::4]]
rss = [int(x) for x in v[1::4]]
cpu = [float(u) + float(s) for u, s in zip(v[2::4], v[3::4])]
print(f"{label}: median {statistics.median(wall):.2f} s (min {min(wall):.2f}, max {max(wall):.2f}),"
      f" CPU median {statistics.median(cpu):.2f} s,"
      f" peak RSS median {statistics.median(rss) / 1024:.0f} MB")'
done
