#!/usr/bin/env bash
# Measurements at scale (issue #24): a generated handbook of N journeys
# (default 10,000) with M months of measurements (default 13: ≈1,020,000
# rows in data/journeys.csv and data/touchpoints.csv, ≈35 MB), checked and
# built with and without its data folder, in interleaved rounds (this
# machine drifts): wall time and peak RSS of each run, then the medians.
#
#   benches/measurements.sh                  # 10,000 journeys, 13 months, 3 rounds
#   N=2000 MONTHS=12 ROUNDS=5 benches/measurements.sh
#
# Needs a release build (`cargo build --release`, `--example gen`) and GNU
# time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
MONTHS=${MONTHS:-13}
ROUNDS=${ROUNDS:-3}
cargo build --release --quiet --bin journeydoc --example gen
JD=$PWD/target/release/journeydoc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/release/examples/gen --journeys "$N" --months "$MONTHS" --out "$work/corpus" >&2
book=$work/corpus/journeydoc
rows=$(($(cat "$book"/data/*.csv | wc -l) - $(ls "$book"/data/*.csv | wc -l)))
bytes=$(cat "$book"/data/*.csv | wc -c)
echo "corpus: $N journeys, $rows measurement rows, $((bytes / 1024 / 1024)) MB of CSV" >&2

run() { # label command... -> "label seconds peak-KB"
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
  echo "$label $(cat "$work/time")"
}

results=$work/results
: >"$results"
for round in $(seq "$ROUNDS"); do
  for mode in with without; do
    if [ "$mode" = without ]; then mv "$book/data" "$work/data.off"; fi
    run "check-$mode" "$JD" --root "$book" --quiet check >>"$results"
    rm -rf "$work/out"
    run "build-$mode" "$JD" --root "$book" --quiet build --output "$work/out" >>"$results"
    if [ "$mode" = without ]; then mv "$work/data.off" "$book/data"; fi
  done
  echo "round $round done" >&2
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| run | median s | median peak MB | all rounds (s / MB) |"
echo "|---|---|---|---|"
for label in check-with check-without build-with build-without; do
  s=$(awk -v l="$label" '$1==l {print $2}' "$results" | median)
  kb=$(awk -v l="$label" '$1==l {print $3}' "$results" | median)
  all=$(awk -v l="$label" '$1==l {printf "%s / %d, ", $2, $3/1024}' "$results")
  echo "| $label | $s | $((kb / 1024)) | ${all%, } |"
done
echo
echo "rows on disk: $((bytes / 1024 / 1024)) MB ($rows rows)"
