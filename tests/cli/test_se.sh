#!/usr/bin/env bash
# CLI tests of 'ssbnet materials' and 'ssbnet se': lookups, suggestions, exit codes of bad input.
# usage: test_se.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
expect_rc "materials list" 0 "$BIN" materials list
grep -q "Li6PS5Cl" "$T/out" && ok "list shows Li6PS5Cl" || bad "list lacks Li6PS5Cl"
expect_rc "show by alias" 0 "$BIN" materials show LPSCl --json
grep -q '"Li6PS5Cl"' "$T/out" && ok "alias LPSCl finds Li6PS5Cl" || bad "alias lookup: $(head -c 200 "$T/out")"
expect_rc "unknown material" 8 "$BIN" materials show LPSC1
grep -q "Li6PS5Cl" "$T/err" && ok "suggests the closest name" || bad "suggestion: $(cat "$T/err")"
expect_rc "se brick unknown option" 2 "$BIN" se brick --bogus 1
expect_rc "se spacecharge out of range" 7 "$BIN" se spacecharge --eps-r 50 --c-inf-per-m3 1e24 --ratio 1.2
finish
