#!/usr/bin/env bash
# The long fuzz run of tests/never_panics.rs: every target, one after the
# other, with CASES cases each (default 1,000,000), in a release build, with
# temporary copies on tmpfs when /dev/shm exists. Prints one line per target
# (cases, seconds, result) and exits non-zero if any target failed; a failure
# prints proptest's minimal input and is saved to
# tests/never_panics.proptest-regressions, to become a regression test.
#
#   benches/fuzz.sh                 # 1,000,000 cases per target
#   CASES=10000 benches/fuzz.sh     # a quicker pass
#   benches/fuzz.sh mermaid_importer link_rewriting   # some targets only
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${CASES:-1000000}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(front_matter_splitter model_reader link_rewriting mermaid_importer
           check_on_the_example_handbook mutated_valid_files arbitrary_bytes_in_any_file
           data_file_reader data_file_edit_reader lsp_message_reader lsp_cursor_context)
fi
[ -d /dev/shm ] && export TMPDIR=/dev/shm
bin=$(cargo test --release --test never_panics --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*never_panics[^"]*\)".*/\1/p' | tail -1)
[ -x "$bin" ] || { echo "could not build tests/never_panics.rs" >&2; exit 2; }
# A copy, so that a rebuild while this runs does not swap the binary.
cp "$bin" "${TMPDIR:-/tmp}/never_panics-fuzz" && bin="${TMPDIR:-/tmp}/never_panics-fuzz"
status=0
echo "| target | cases | seconds | result |"
echo "|---|---|---|---|"
for t in "${TARGETS[@]}"; do
  start=$(date +%s.%N)
  if PROPTEST_CASES=$CASES "$bin" --exact "$t" --test-threads 1 >"${TMPDIR:-/tmp}/fuzz-$t.log" 2>&1; then
    result=pass
  else
    result="FAIL (see ${TMPDIR:-/tmp}/fuzz-$t.log)"
    status=1
  fi
  end=$(date +%s.%N)
  printf '| %s | %d | %.0f | %s |\n' "$t" "$CASES" "$(echo "$end - $start" | bc)" "$result"
done
exit $status
