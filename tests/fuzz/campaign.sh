#!/usr/bin/env bash
# Long fuzzing campaign: runs each target (or those named as arguments) one at a time at nice 10 until RUNS
# executions (default 1000000) or MAX_TIME seconds (default 3600) per target, keeping a growing corpus in
# build-fuzz/campaign/<target>/ (seeded from tests/fuzz/corpus/). Prints one line per target (executions, seconds,
# corpus size, result) and appends it to build-fuzz/campaign/results.txt; crashing inputs are copied to
# build-fuzz/campaign/findings/ (commit real ones under tests/fuzz/crashes/<target>/ with a line in README.md).
#   bash tests/fuzz/campaign.sh                      all targets
#   RUNS=2000000 bash tests/fuzz/campaign.sh fuzz_tiff fuzz_npy
set -euo pipefail
source "$(dirname "$0")/common.sh"
# The targets write each input to a temporary file: keep those in memory where possible.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
RUNS=${RUNS:-1000000}
MAX_TIME=${MAX_TIME:-3600}
rc=0
fuzz_build || rc=$?
if [ "$rc" != 0 ]; then exit "$rc"; fi
OUT=$FUZZ_BUILD/campaign
mkdir -p "$OUT/findings"
want=" $* "
while read -r t dir; do
    if [ $# -gt 0 ] && [[ "$want" != *" $t "* ]]; then continue; fi
    mkdir -p "$OUT/$t"
    log=$OUT/$t.log
    start=$(date +%s)
    res=ok
    nice -n 10 "$FUZZ_BUILD/tests/fuzz/$t" -runs="$RUNS" -max_total_time="$MAX_TIME" -timeout=10 -rss_limit_mb=2048 \
        -close_fd_mask=3 -artifact_prefix="$OUT/findings/$t-" -print_final_stats=1 "$OUT/$t" \
        "$ROOT/tests/fuzz/corpus/$dir" >"$log" 2>&1 || res="FOUND: $(grep -m1 -oE 'ERROR: [A-Za-z]+: [^ ]+|ERROR: libFuzzer: [a-z-]+' "$log" || echo "exit $?")"
    secs=$(( $(date +%s) - start ))
    execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
    ncorp=$(find "$OUT/$t" -type f | wc -l)
    line=$(printf '%s %-24s executions %9s  seconds %5s  corpus %5s  %s' "$(date -u +%Y-%m-%dT%H:%MZ)" "$t" \
           "${execs:-?}" "$secs" "$ncorp" "$res")
    echo "$line"
    echo "$line" >>"$OUT/results.txt"
done < <(fuzz_targets)
