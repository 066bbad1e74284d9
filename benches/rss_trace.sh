#!/usr/bin/env bash
# Resident memory of one build over time, to see *when* the peak happens.
#
#   benches/rss_trace.sh BINARY HANDBOOK_DIR [OUT.txt]
#
# Samples VmRSS every 50 ms (milliseconds since start, MB) into OUT.txt
# (default /tmp/rss_trace.txt), prints the three highest samples, and keeps
# the build's JOURNEYDOC_TIMINGS lines in OUT.txt.err to line them up with.
set -euo pipefail
bin=$1 dir=$2 out=${3:-/tmp/rss_trace.txt}
cd "$dir"
rm -rf public
JOURNEYDOC_TIMINGS=1 "$bin" --root . --quiet build 2>"$out.err" &
pid=$!
start=$(date +%s%N)
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status" 2>/dev/null || true)
  echo "$(( ($(date +%s%N) - start) / 1000000 )) ${rss:-0}"
  sleep 0.05
done >"$out"
wait "$pid"
sort -k2 -n "$out" | tail -3
