# Shared by the tests where `sondeo serve` sends through Kannel (serve_blast, serve_dlr).
# Source it after tests/cli/lib.sh and kannel_rig.sh, with $SONDEO and $HERE set. It sets
# the EXIT trap (serve killed with -9, Kannel stopped, $TMP removed unless KEEP_TMP is set),
# $DB (initialised, in $SONDEO_DB) and db().
SERVE_PID=""
serve_rig_cleanup() {
  [ -n "$SERVE_PID" ] && kill -9 "$SERVE_PID" 2>/dev/null
  kannel_rig_kill
  wait 2>/dev/null
  if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap serve_rig_cleanup EXIT
DB=$TMP/s.db
export SONDEO_DB=$DB SONDEO_SMS_PASSWORD=secret
db() { sqlite3 -cmd ".timeout 5000" "$DB" "$@"; }
"$SONDEO" init >/dev/null || { echo "init failed" >&2; exit 1; }

# serve_rig_conf [LINE ...]: $TMP/serve.conf for serve on a free port ($PORT) sending through
# the rig's Kannel, its delivery reports back to serve's /api/v1/sms/dlr with a token
# ($TOKEN); extra config lines after.
serve_rig_conf() {
  PORT=$(kannel_rig_free_port)
  TOKEN=tok-$RANDOM$RANDOM
  { printf 'listen: 127.0.0.1:%s\nsms_callback_token: %s\n' "$PORT" "$TOKEN"
    printf 'sms_gateway: kannel\nsms_gateway_url: %s\n' "$KANNEL_URL"
    printf 'sms_gateway_user: dialer\nsms_gateway_from: 890123\n'
    printf 'sms_gateway_dlr_url: http://127.0.0.1:%s/api/v1/sms/dlr?token=%s\n' "$PORT" "$TOKEN"
    printf 'sms_gateway_poll_seconds: 1\n'
    local line
    for line in "$@"; do printf '%s\n' "$line"; done
  } >"$TMP/serve.conf"
}
# start_serve: serve on that config, inside the legal SMS hours (Friday 2026-11-27 10:00 in
# Bogotá), its output appended to $TMP/serve.out and serve.err; waits for its port.
start_serve() {
  "$SONDEO" serve --config "$TMP/serve.conf" --clock-start 2026-11-27T15:00:00Z \
    >>"$TMP/serve.out" 2>>"$TMP/serve.err" &
  SERVE_PID=$!
  kannel_rig_wait_port "$PORT" || { fail "serve did not start: $(tail -3 "$TMP/serve.err")"; exit 1; }
}
