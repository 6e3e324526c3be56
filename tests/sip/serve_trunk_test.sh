#!/usr/bin/env bash
# Reliability: the SIP trunk goes away in the middle of a campaign run by `sondeo serve`, and
# comes back. A sipp UAS plays the carrier (ring 1 s, answer, wait for our BYE), another the
# agents' phones; one agent works through the HTTP API. After a first good call the carrier
# is killed: the next dials fail at once (ICMP unreachable), the circuit breaker opens after
# 5 of them and dialing pauses (no attempt row while it is open: the pacer asks
# Driver::CanDial), the supervisor alert is logged, and no carrier failure consumes an
# attempt. The carrier is started again on the same port: a probe gets through, the breaker
# closes, and the agent's next call arrives and is typified.
SONDEO=$1
SRC=$2
. "$SRC/tests/cli/lib.sh"
DB="$TMP/t.db"
. "$SRC/tests/sip/serve_lib.sh"
start_rig carrier

add_users sara:supervisor ana:agent
sip_campaign tr "Encuesta troncal" "$CIT"
import_synthetic tr 2
serve_conf 2000100 "$AGT"
start_serve
SARA=$(curl -s -c "$TMP/sara" -H 'Content-Type: application/json' -d '{"user":"sara","password":"clave-sara-1"}' \
  "$URL/api/v1/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -b "$TMP/sara" -H "X-CSRF-Token: $SARA" \
  -H 'Content-Type: application/json' -d '{}' "$URL/api/v1/campaigns/tr/start")
[ "$code" = 200 ] && ok || fail "start campaign: $code $(cat "$TMP/body")"

# A good call first (the trunk works).
python3 "$HERE/desk_agent.py" "$URL" ana clave-ana-1 tr "$TMP/acked" --results 1 --seconds 60 --prefix a \
  2>>"$TMP/agent.err" && ok || fail "first call: $(cat "$TMP/agent.err")"

# The trunk goes away; the agent is ready again and the engine dials.
kill "$CARRIER_PID"; wait "$CARRIER_PID" 2>/dev/null; CARRIER_PID=
sleep 0.3
python3 "$HERE/desk_agent.py" "$URL" ana clave-ana-1 tr "$TMP/acked" --results 1 --seconds 90 --prefix b \
  2>>"$TMP/agent.err" &
AGENTS=($!)
for _ in $(seq 1 100); do grep -q 'Troncal SIP en falla' "$TMP/serve.err" && break; sleep 0.1; done
grep -q 'Troncal SIP en falla' "$TMP/serve.err" && ok || fail "no circuit-breaker alert: $(tail -5 "$TMP/serve.err")"
# ... and the supervisors see it on the wallboard (it is also pushed over their WebSocket).
curl -s -b "$TMP/sara" "$URL/api/v1/wallboard" >"$TMP/wb.json"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["alerts"]; sys.exit(0 if any("Troncal SIP en falla" in x["message"] for x in a) else 1)' \
  "$TMP/wb.json" && ok || fail "the wallboard does not show the trunk alert: $(cat "$TMP/wb.json")"
sleep 3  # inside the breaker's first pause (5 s)
failed=$(q "SELECT COUNT(*) FROM attempts WHERE disposition = 'FALLA_DE_RED'")
[ "$failed" -ge 5 ] && [ "$failed" -le 6 ] && ok \
  || fail "$failed FALLA_DE_RED attempts while the breaker is open, want 5 (6 with a probe)"
[ "$(q "SELECT COUNT(*) FROM attempts WHERE state <> 'disposed'")" = 0 ] && ok || fail "calls placed while the trunk is down"
sleep 3
# Still paused: the half-open probe (at most one more attempt per pause) and nothing else.
later=$(q "SELECT COUNT(*) FROM attempts WHERE disposition = 'FALLA_DE_RED'")
[ "$later" -le $((failed + 1)) ] && ok || fail "dialing did not pause: $failed then $later FALLA_DE_RED"
[ "$(q "SELECT COUNT(*) FROM attempts WHERE disposition = 'FALLA_DE_RED' AND consumed <> 0")" = 0 ] && ok \
  || fail "a carrier failure consumed an attempt"
[ "$(q "SELECT COALESCE(SUM(d.attempts), 0) FROM contact_dialing d WHERE d.campaign_id = 'tr' AND d.contact_id IN (SELECT contact_id FROM attempts WHERE disposition = 'FALLA_DE_RED')")" = 0 ] \
  && ok || fail "contacts hit by carrier failures have consumed attempts"

# The trunk comes back: the next probe gets through, the agent gets a call and typifies it.
start_uas carrier2 "$CIT"; CARRIER_PID=$UAS
wait "${AGENTS[0]}"; rc=$?; AGENTS=()
[ "$rc" = 0 ] && ok || fail "no call after the trunk came back (rc $rc): $(tail -3 "$TMP/agent.err"; tail -5 "$TMP/serve.err")"
for _ in $(seq 1 50); do grep -q 'Troncal SIP recuperada' "$TMP/serve.err" && break; sleep 0.1; done
grep -q 'Troncal SIP recuperada' "$TMP/serve.err" && ok || fail "no recovery alert"
curl -s -b "$TMP/sara" "$URL/api/v1/wallboard" >"$TMP/wb.json"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["alerts"]; sys.exit(0 if "Troncal SIP recuperada" in a[-1]["message"] else 1)' \
  "$TMP/wb.json" && ok || fail "the wallboard's latest alert is not the recovery: $(cat "$TMP/wb.json")"
[ "$(wc -l < "$TMP/acked")" = 2 ] && ok || fail "acknowledged results: $(cat "$TMP/acked")"
n=$(grep -c '^INVITE sip:' "$TMP/carrier2.msg")
[ "$n" -ge 1 ] && ok || fail "the carrier that came back saw no INVITE"
finish
