#!/usr/bin/env bash
# Benchmark journeydoc against Hugo and mdBook on the same generated corpus.
#
# Run by hand, never in CI: it installs missing tools, builds journeydoc in
# release mode and takes minutes at 10k journeys (much longer with --with-100k).
#
# Usage: benches/compare.sh [--sizes "1000 10000"] [--runs 5] [--with-100k]
#                           [--out BENCHMARKS-run.md] [--mdbook-limit SECONDS]
#                           [--layer]
#
# --layer: the corpus with the whole new layer (12 months of measurements in
# data/, studies, opportunities, future states; `gen --months 12 --layer`),
# the same content as Hugo and mdBook pages.
#
# Environment:
#   JOURNEYDOC_SKIP_BUILD=1  use the existing target/release/journeydoc and
#                            target/release/examples/gen instead of building them
#   KEEP=1                   keep the temp dir (corpora, outputs, hyperfine JSON)
#   TMPDIR                   where the temp dir goes (default /tmp)
#
# For every size N it generates a corpus with examples/gen, then for every tool
# measures: cold build time (hyperfine, previous output moved aside before each
# run, outside the timing), peak RSS (one extra run under /usr/bin/time), output
# size and HTML file count; plus `journeydoc check` time and the first-view
# search payload of journeydoc at the largest size. The Markdown report goes to
# --out (default benches/last-run.md) and to stdout; progress goes to stderr.

set -euo pipefail

usage() {
  cat <<'EOF'
Usage: benches/compare.sh [--sizes "1000 10000"] [--runs 5] [--with-100k]
                          [--out BENCHMARKS-run.md] [--mdbook-limit SECONDS] [--layer]
--layer: measurements, studies, opportunities and future states in the corpus.
Defaults: --sizes "1000 10000", --runs 5, --out benches/last-run.md,
--mdbook-limit 300. --with-100k adds 100000 to the sizes.
Environment: JOURNEYDOC_SKIP_BUILD=1 (no cargo build), KEEP=1 (keep temp dir).
EOF
}

die() { echo "compare.sh: $*" >&2; exit 2; }
log() { echo "==> $*" >&2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

sizes="1000 10000"
gen_layer=()
runs=5
with_100k=0
out_file="$ROOT/benches/last-run.md"
mdbook_limit=300

while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) [[ $# -ge 2 ]] || die "--sizes needs a value"; sizes=$2; shift 2 ;;
    --sizes=*) sizes=${1#*=}; shift ;;
    --runs) [[ $# -ge 2 ]] || die "--runs needs a value"; runs=$2; shift 2 ;;
    --runs=*) runs=${1#*=}; shift ;;
    --with-100k) with_100k=1; shift ;;
    --layer) gen_layer=(--months 12 --layer); shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a value"; out_file=$2; shift 2 ;;
    --out=*) out_file=${1#*=}; shift ;;
    --mdbook-limit) [[ $# -ge 2 ]] || die "--mdbook-limit needs a value"; mdbook_limit=$2; shift 2 ;;
    --mdbook-limit=*) mdbook_limit=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, got '$runs'"
[[ $mdbook_limit =~ ^[1-9][0-9]*$ ]] || die "--mdbook-limit must be a positive number of seconds, got '$mdbook_limit'"
if [[ $with_100k == 1 ]]; then sizes="$sizes 100000"; fi
for n in $sizes; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "--sizes must be positive integers, got '$n'"
done
# Numeric order, no duplicates: the scaling factors compare neighbours.
# shellcheck disable=SC2086 # $sizes is split into words on purpose
read -r -a SIZES <<<"$(printf '%s\n' $sizes | sort -n -u | tr '\n' ' ')"
[[ ${#SIZES[@]} -gt 0 ]] || die "--sizes is empty"
LARGEST=${SIZES[${#SIZES[@]}-1]}

# --out is relative to where the script was started, not to the repo.
case "$out_file" in
  /*) ;;
  *) out_file="$PWD/$out_file" ;;
esac
mkdir -p "$(dirname "$out_file")"

# ---------------------------------------------------------------- peers

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  if [[ $apt_updated == 0 ]]; then
    as_root apt-get update >&2
    apt_updated=1
  fi
  as_root apt-get install -y "$@" >&2
}

if ! command -v hugo >/dev/null 2>&1; then
  log "installing hugo"
  apt_install hugo
fi
if ! command -v hyperfine >/dev/null 2>&1; then
  log "installing hyperfine"
  apt_install hyperfine
fi
if [[ ! -x /usr/bin/time ]]; then
  log "installing GNU time"
  apt_install time
fi
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
if command -v mdbook >/dev/null 2>&1; then
  MDBOOK=$(command -v mdbook)
elif [[ -x "$HOME/.cargo/bin/mdbook" ]]; then
  MDBOOK="$HOME/.cargo/bin/mdbook"
elif [[ -x "$cargo_bin/mdbook" ]]; then
  MDBOOK="$cargo_bin/mdbook"
else
  log "installing mdbook (cargo install, takes a few minutes)"
  cargo install mdbook --locked >&2
  MDBOOK="$cargo_bin/mdbook"
fi
HUGO=$(command -v hugo)

# hyperfine JSON is read with jq when there is one, else python3.
if command -v jq >/dev/null 2>&1; then
  have_jq=1
else
  have_jq=0
  command -v python3 >/dev/null 2>&1 || die "need jq or python3 to read hyperfine JSON"
fi
command -v python3 >/dev/null 2>&1 || die "need python3 for the arithmetic"

# ---------------------------------------------------------------- journeydoc

JD="$ROOT/target/release/journeydoc"
GEN="$ROOT/target/release/examples/gen"
if [[ ${JOURNEYDOC_SKIP_BUILD:-0} == 1 ]]; then
  log "JOURNEYDOC_SKIP_BUILD=1: using the existing release binaries"
else
  log "building journeydoc (release)"
  (cd "$ROOT" && cargo build --release --bin journeydoc --example gen) >&2
fi
[[ -x $JD ]] || die "missing $JD (build it, or unset JOURNEYDOC_SKIP_BUILD)"
[[ -x $GEN ]] || die "missing $GEN (build it, or unset JOURNEYDOC_SKIP_BUILD)"

# ---------------------------------------------------------------- temp dir

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jd-bench.XXXX")
cleanup() {
  if [[ ${KEEP:-0} == 1 ]]; then
    echo "compare.sh: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
log "working in $WORK"

# ---------------------------------------------------------------- helpers

# "median min max" in seconds from a hyperfine --export-json file.
hf_stats() {
  if [[ $have_jq == 1 ]]; then
    jq -r '.results[0] | "\(.median) \(.min) \(.max)"' "$1"
  else
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["median"], r["min"], r["max"])' "$1"
  fi
}

# calc EXPR FORMAT: python arithmetic, printed with FORMAT (e.g. %.2f).
calc() {
  python3 -c 'import sys; print(sys.argv[2] % eval(sys.argv[1]))' "$1" "$2"
}

# Bytes a reader downloads before the first search result, for journeydoc's
# output folder OUTDIR.
#
# Today (see themes/default/static/search.js and src/render/search.rs) search
# is one file: static/search.js, which on first use loads search-index.js,
# the whole index. So payload = search.js + search-index.js.
#
# UPDATE THIS if the index gets sharded: the payload then is search.js + the
# manifest + the shards a query for "call centre" loads. Until this function
# knows how shards are chosen, when OUTDIR/search/ exists it sums search.js,
# every OUTDIR/search/manifest*.js and the two largest files in OUTDIR/search
# (other than the manifests): an UPPER BOUND, not the exact payload.
search_payload() {
  # Upper bound of what the first query downloads: the search script, the
  # shard list (search/index.js), the two largest term shards (a two-word
  # query, whatever words it has) and the 20 largest title chunks (one per
  # result shown, at worst).
  local dir=$1 total
  total=$(stat -c %s "$dir/static/search.js")
  if [[ -d "$dir/search" ]]; then
    total=$((total + $(stat -c %s "$dir/search/index.js")))
    total=$((total + $(find "$dir/search" -maxdepth 1 -type f -name 't-*' -printf '%s\n' \
      | sort -n -r | head -n 2 | awk '{ s += $1 } END { print s + 0 }')))
    total=$((total + $(find "$dir/search" -maxdepth 1 -type f -name 'd-*' -printf '%s\n' \
      | sort -n -r | head -n 20 | awk '{ s += $1 } END { print s + 0 }')))
  else
    total=$((total + $(stat -c %s "$dir/search-index.js")))
  fi
  echo "$total"
}

# Shell-quote for hyperfine, which runs its commands with bash (--shell bash).
q() { printf '%q' "$1"; }

# Result slots, keyed "N:tool".
declare -A MEDIAN MIN MAX RSS OUTMB HTML NOTE CHECK
PAYLOAD=""
PAYLOAD_NOTE=""

TOOLS=(journeydoc hugo mdbook)

tool_cmd() { # tool corpus outdir -> the command line, already quoted
  local tool=$1 corpus=$2 outdir=$3
  case "$tool" in
    journeydoc) echo "$(q "$JD") --root $(q "$corpus/journeydoc") --quiet build --output $(q "$outdir")" ;;
    hugo) echo "$(q "$HUGO") --quiet --source $(q "$corpus/hugo") --destination $(q "$outdir")" ;;
    mdbook) echo "timeout $mdbook_limit $(q "$MDBOOK") build $(q "$corpus/mdbook") --dest-dir $(q "$outdir")" ;;
  esac
}

# ---------------------------------------------------------------- runs

for n in "${SIZES[@]}"; do
  dir="$WORK/$n"
  corpus="$dir/corpus"
  mkdir -p "$dir"
  log "size $n: generating corpus"
  "$GEN" --journeys "$n" --out "$corpus" "${gen_layer[@]}" >&2

  for tool in "${TOOLS[@]}"; do
    key="$n:$tool"
    outdir="$dir/out-$tool"
    trash="$dir/trash-$tool"
    cmd=$(tool_cmd "$tool" "$corpus" "$outdir")
    mkdir -p "$trash"

    # One run under /usr/bin/time for peak RSS; it also gives the output to
    # measure and, for mdBook, decides whether the size is within the limit.
    log "size $n: $tool: peak RSS run"
    rc=0
    /usr/bin/time -o "$dir/rss-$tool" -f %M bash -c "$cmd" >"$dir/log-$tool" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]]; then
      if [[ $tool == mdbook && $rc -eq 124 ]]; then
        NOTE[$key]="skipped: > $mdbook_limit s"
        log "size $n: mdbook exceeded $mdbook_limit s, skipped"
      else
        NOTE[$key]="failed: exit $rc"
        log "size $n: $tool failed (exit $rc); last lines of its output:"
        tail -n 20 "$dir/log-$tool" >&2 || true
      fi
      rm -rf "$outdir" "$trash"
      continue
    fi
    # %M is in KiB; the last line is the number (time may print a status line first).
    RSS[$key]=$(calc "$(tail -n 1 "$dir/rss-$tool") / 1024" '%.0f')
    OUTMB[$key]=$(calc "$(du -sb "$outdir" | cut -f1) / 1048576" '%.1f')
    HTML[$key]=$(find "$outdir" -type f -name '*.html' | wc -l)
    if [[ $tool == journeydoc && $n == "$LARGEST" ]]; then
      PAYLOAD=$(search_payload "$outdir")
      if [[ -d "$outdir/search" ]]; then
        PAYLOAD_NOTE=" (upper bound: search.js, search/index.js, the two largest term shards, the 20 largest title chunks)"
      fi
    fi
    if [[ -s "$dir/log-$tool" ]]; then
      log "size $n: $tool printed (first lines):"
      head -n 5 "$dir/log-$tool" >&2
    fi

    # Cold builds: before every timed run the previous output is moved into
    # the trash dir (a rename, outside the timing) and flushed to disk
    # (`sync`), so no run pays for the previous one's write-back; nothing is
    # deleted inside the timing. The trash dirs are removed once every tool
    # of this size has run: on ext4 without a journal, creating files soon
    # after thousands were deleted scans past each freed inode (for about
    # 30 s), which would slow down whichever tool came next.
    log "size $n: $tool: $runs timed builds"
    prepare="if [ -e $(q "$outdir") ]; then mv $(q "$outdir") $(q "$trash")/\$(date +%s%N); fi; sync"
    rc=0
    hyperfine --shell bash --runs "$runs" --style basic \
      --export-json "$dir/hf-$tool.json" \
      --command-name "$tool $n" \
      --prepare "$prepare" \
      "$cmd" >&2 || rc=$?
    if [[ $rc -ne 0 ]]; then
      if [[ $tool == mdbook ]]; then
        NOTE[$key]="skipped: a timed run failed or exceeded $mdbook_limit s"
      else
        NOTE[$key]="failed: hyperfine exit $rc"
      fi
      continue
    fi
    read -r med lo hi < <(hf_stats "$dir/hf-$tool.json")
    MEDIAN[$key]=$med MIN[$key]=$lo MAX[$key]=$hi
  done

  rm -rf "$dir"/trash-*

  # journeydoc check: writes nothing, so no prepare. It exits 0 with warnings;
  # if it exits 1 (content errors), time it anyway with hyperfine -i.
  log "size $n: journeydoc check"
  # The builds above leave hundreds of MB of pages for the kernel to write
  # back; flushed first, so `check` is not timed against that disk traffic.
  sync
  check_cmd="$(q "$JD") --root $(q "$corpus/journeydoc") --quiet check"
  rc=0
  bash -c "$check_cmd" >"$dir/log-check" 2>&1 || rc=$?
  ignore=()
  case $rc in
    0) ;;
    1) ignore=(-i); log "size $n: journeydoc check exits 1; timing it with -i" ;;
    *) log "size $n: journeydoc check failed (exit $rc)"; tail -n 20 "$dir/log-check" >&2 ;;
  esac
  if [[ $rc -le 1 ]]; then
    hyperfine --shell bash --runs "$runs" --style basic "${ignore[@]}" \
      --export-json "$dir/hf-check.json" --command-name "journeydoc check $n" \
      "$check_cmd" >&2
    read -r med _ _ < <(hf_stats "$dir/hf-check.json")
    CHECK[$n]=$med
  fi

  # The corpus at 100k is large: free it now unless KEEP=1.
  if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$dir"; fi
done

# ---------------------------------------------------------------- report

fmt2() { calc "$1" '%.2f'; }
fmt3() { calc "$1" '%.3f'; }

jd_version() {
  local v rev
  if v=$("$JD" --version 2>/dev/null); then
    rev=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || true)
    echo "$v${rev:+ (git $rev)}"
  else
    git -C "$ROOT" describe --always --dirty 2>/dev/null \
      || git -C "$ROOT" rev-parse --short HEAD 2>/dev/null \
      || echo unknown
  fi
}

cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
mem_gib=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)

{
  echo "# journeydoc vs Hugo vs mdBook"
  echo
  echo "- Date: $(date -u +%Y-%m-%d)"
  echo "- Machine: $(nproc) cores, $(uname -m), ${cpu_model:-unknown CPU}, ${mem_gib:-?} GiB RAM"
  echo "- journeydoc: $(jd_version)"
  echo "- Hugo: $("$HUGO" version 2>&1 | head -n 1)"
  echo "- mdBook: $("$MDBOOK" --version 2>&1 | head -n 1)"
  echo "- hyperfine: $(hyperfine --version 2>&1 | head -n 1)"
  echo "- Runs per measurement: $runs (cold: output moved aside before each run); mdBook limit: $mdbook_limit s"
  echo "- MB = 2^20 bytes; peak RSS from one extra run under /usr/bin/time"
  echo
  echo "| journeys | tool | build median (s) | min–max (s) | peak RSS (MB) | output (MB) | HTML files |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
  for n in "${SIZES[@]}"; do
    for tool in "${TOOLS[@]}"; do
      key="$n:$tool"
      if [[ -n ${MEDIAN[$key]:-} ]]; then
        echo "| $n | $tool | $(fmt3 "${MEDIAN[$key]}") | $(fmt3 "${MIN[$key]}")–$(fmt3 "${MAX[$key]}") | ${RSS[$key]} | ${OUTMB[$key]} | ${HTML[$key]} |"
      else
        echo "| $n | $tool | ${NOTE[$key]:-not run} | | ${RSS[$key]:-} | ${OUTMB[$key]:-} | ${HTML[$key]:-} |"
      fi
    done
  done
  echo
  echo "| journeys | journeydoc check (s) | journeydoc/Hugo time ratio |"
  echo "|---:|---:|---:|"
  for n in "${SIZES[@]}"; do
    check="${CHECK[$n]:+$(fmt3 "${CHECK[$n]}")}"
    ratio="–"
    if [[ -n ${MEDIAN[$n:journeydoc]:-} && -n ${MEDIAN[$n:hugo]:-} ]]; then
      ratio=$(fmt2 "${MEDIAN[$n:journeydoc]} / ${MEDIAN[$n:hugo]}")
    fi
    echo "| $n | ${check:-–} | $ratio |"
  done
  echo
  if [[ -n $PAYLOAD ]]; then
    echo "First-view search payload (journeydoc, $LARGEST journeys): $PAYLOAD bytes ($(calc "$PAYLOAD / 1048576" '%.2f') MB)$PAYLOAD_NOTE"
  else
    echo "First-view search payload (journeydoc, $LARGEST journeys): not measured (build failed)"
  fi
  prev=""
  for n in "${SIZES[@]}"; do
    if [[ -n $prev && -n ${MEDIAN[$prev:journeydoc]:-} && -n ${MEDIAN[$n:journeydoc]:-} ]]; then
      echo
      echo "journeydoc scaling $prev→$n journeys: ×$(fmt2 "${MEDIAN[$n:journeydoc]} / ${MEDIAN[$prev:journeydoc]}") build time (×$(calc "$n / $prev" '%g') content)"
    fi
    prev=$n
  done
} >"$out_file"

echo "compare.sh: report written to $out_file" >&2
cat "$out_file"
