# Shared by run.sh and campaign.sh: find clang + libFuzzer and build the targets. Sourced, not run.
# Sets ROOT, FUZZ_BUILD; defines fuzz_build (returns 2 = skip, with the reason on stderr) and fuzz_targets.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FUZZ_BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}

fuzz_targets() { grep -v '^#' "$ROOT/tests/fuzz/targets.txt" | awk 'NF { print $1, $2 }'; }

fuzz_build() {
    local cc=${FUZZ_CC:-clang}
    if ! command -v "$cc" >/dev/null 2>&1; then
        echo "fuzz: SKIPPED: $cc not found (scripts/install-deps installs clang and libFuzzer)" >&2
        return 2
    fi
    local probe
    probe=$(mktemp -d)
    printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
        >"$probe/p.c"
    if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
        rm -rf "$probe"
        echo "fuzz: SKIPPED: $cc cannot link -fsanitize=fuzzer (libFuzzer missing: Debian package libclang-rt-<version>-dev)" >&2
        return 2
    fi
    rm -rf "$probe"
    mkdir -p "$FUZZ_BUILD"
    local log=$FUZZ_BUILD/fuzz-build.log
    if ! { CC=$cc cmake -S "$ROOT" -B "$FUZZ_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSSB_FUZZ=ON \
               -DSSB_BUILD_TESTS=OFF -DSSB_WERROR=ON && cmake --build "$FUZZ_BUILD" --target fuzz -j"${JOBS:-2}"; } \
        >"$log" 2>&1; then
        tail -30 "$log" >&2
        echo "fuzz: build failed (log: $log)" >&2
        return 1
    fi
}
