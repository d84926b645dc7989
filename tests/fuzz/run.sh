#!/usr/bin/env bash
# Short fuzzing run, part of `make test`: builds the libFuzzer targets with clang (build-fuzz/) and runs each one for
# SECONDS_PER_TARGET seconds (default 3) on its committed seed corpus, new inputs going to a scratch directory.
# Fails on the first crash, leak, sanitizer report, timeout (> 10 s per input) or out-of-memory (> 2 GB), and when
# an input recorded under tests/fuzz/crashes/<target>/ still fails (they are regression inputs once fixed).
# Skips with a message (exit 0) when clang or libFuzzer is missing. Long campaign: tests/fuzz/campaign.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"
# The targets write each input to a temporary file: keep those in memory where possible.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
SECS=${SECONDS_PER_TARGET:-3}
rc=0
fuzz_build || rc=$?
if [ "$rc" = 2 ]; then exit 0; fi
if [ "$rc" != 0 ]; then exit "$rc"; fi
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
fail=0
while read -r t dir; do
    mkdir -p "$SCRATCH/$t"
    if ! "$FUZZ_BUILD/tests/fuzz/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
            -artifact_prefix="$SCRATCH/$t-" -print_final_stats=1 "$SCRATCH/$t" "$ROOT/tests/fuzz/corpus/$dir" \
            >"$SCRATCH/$t.log" 2>&1; then
        fail=1
        grep -E 'ERROR|SUMMARY|Test unit written' "$SCRATCH/$t.log" | head -5 >&2
        mkdir -p "$FUZZ_BUILD/findings"
        cp "$SCRATCH/$t"-* "$FUZZ_BUILD/findings/" 2>/dev/null || true
        echo "fuzz: $t: FAILED (input kept in $FUZZ_BUILD/findings/; log above)" >&2
        continue
    fi
    execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$SCRATCH/$t.log")
    # Inputs that once crashed a parser (tests/fuzz/crashes/<target>/) must now run clean.
    nrep=0
    if [ -d "$ROOT/tests/fuzz/crashes/$t" ]; then
        for f in "$ROOT/tests/fuzz/crashes/$t"/*; do
            [ -f "$f" ] || continue
            nrep=$((nrep + 1))
            if ! "$FUZZ_BUILD/tests/fuzz/$t" -timeout=10 -rss_limit_mb=2048 "$f" >"$SCRATCH/$t.replay.log" 2>&1; then
                fail=1
                grep -E 'ERROR|SUMMARY' "$SCRATCH/$t.replay.log" | head -3 >&2
                echo "fuzz: $t: FAILED on the recorded crash input $f" >&2
            fi
        done
    fi
    printf 'fuzz: %-24s ok, %8s executions in %s s, %d recorded crash input(s) replayed\n' "$t" "${execs:-?}" "$SECS" "$nrep"
done < <(fuzz_targets)
exit "$fail"
