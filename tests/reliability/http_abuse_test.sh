#!/usr/bin/env bash
# Malformed, oversized and slow HTTP against `sondeo serve` (http_abuse.py): 4xx or a dropped
# connection every time, the server answers between cases and afterwards, logs in, stops
# cleanly on SIGTERM, and its stderr has no sanitizer report. The header deadline is set to
# 2 s through the config file so the slowloris cases are quick.
SONDEO=$1
SRC=$2
. "$SRC/tests/cli/lib.sh"
DB="$TMP/s.db"
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
echo 'clave-ana-1' | "$SONDEO" --db "$DB" users add ana --role agent --pbkdf2-iterations 1000 >/dev/null \
  || { echo "users add failed" >&2; exit 1; }
printf 'header_timeout_seconds: 2\n' >"$TMP/serve.conf"
"$SONDEO" --db "$DB" serve --listen 127.0.0.1:0 --config "$TMP/serve.conf" --pbkdf2-iterations 1000 \
  >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
wait_listening "$TMP/serve.out"
PORT=${URL##*:}
[ -n "$PORT" ] || { echo "serve did not start: $(cat "$TMP/serve.out" "$TMP/serve.err")" >&2; exit 1; }
python3 "$SRC/tests/reliability/http_abuse.py" "$PORT" 2 && ok || fail "http_abuse.py"
kill -0 "$SERVER_PID" 2>/dev/null && ok || fail "serve died"
kill -TERM "$SERVER_PID"
for _ in $(seq 1 100); do [ "$(cut -d' ' -f3 /proc/$SERVER_PID/stat 2>/dev/null)" = Z ] && break; kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
wait "$SERVER_PID"; RC=$?
SERVER_PID=
[ "$RC" = 0 ] && ok || fail "serve exit code $RC after SIGTERM"
grep -q 'AddressSanitizer\|runtime error:\|LeakSanitizer' "$TMP/serve.err" \
  && fail "sanitizer report: $(grep -m3 'AddressSanitizer\|runtime error:\|LeakSanitizer' "$TMP/serve.err")" || ok
finish
