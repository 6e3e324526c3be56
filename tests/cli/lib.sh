# Shared helpers for the CLI test scripts: a temp dir removed on exit, and assertions.
set -u
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sondeo-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILS=0
PASSES=0
ok() { PASSES=$((PASSES + 1)); }
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
# expect_rc WANT DESCRIPTION -- CMD...: runs CMD, captures stdout/stderr in $OUT/$ERR.
expect_rc() {
  local want=$1 what=$2; shift 3
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
  if [ "$rc" -eq "$want" ]; then ok; else fail "$what: exit $rc, want $want; stderr: $ERR"; fi
}
contains() { # contains HAYSTACK NEEDLE DESCRIPTION
  case "$1" in *"$2"*) ok ;; *) fail "$3: '$2' not in: $1" ;; esac
}
# wait_listening OUTFILE: waits (10 s at most) for `sondeo serve`'s "listening URL" line in
# OUTFILE (its stdout); the URL in $URL, empty when it never came.
wait_listening() {
  for _ in $(seq 1 100); do grep -q '^listening' "$1" && break; sleep 0.1; done
  URL=$(sed -n 's/^listening //p' "$1" | head -1)
}
finish() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" -eq 0 ]
}
