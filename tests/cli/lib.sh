# Shared helpers of the CLI tests (sourced). Needs T (a temporary folder) set by the caller.
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }
# json_num FILE KEY: the first number stored under "KEY": in FILE (a command's JSON as cJSON prints it)
json_num() { grep -E "\"$2\":" "$1" | head -1 | sed -E 's/.*:[[:space:]]*([-0-9.eE+]+).*/\1/'; }
# expect_rc NAME EXPECTED_EXIT CMD...: runs CMD with stdout in $T/out and stderr in $T/err
expect_rc() {
  local name="$1" want="$2"
  shift 2
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$name (exit $rc)"; else bad "$name: exit $rc, expected $want; stderr: $(head -c 400 "$T/err")"; fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
