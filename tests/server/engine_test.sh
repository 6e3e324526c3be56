#!/usr/bin/env bash
# sondeo serve runs the dialer: a supervisor starts a campaign (simulated driver, seeded,
# every citizen answers), an agent goes ready, gets a contact from the engine (preview),
# submits answers + ENCUESTA EFECTIVA; the report shows it; a retry does not double-count;
# kill -9 after the 200 keeps the answer and never re-dials the attempt; a result recorded
# just before a crash (before the engine disposed it) is applied on restart, not lost as
# INTERRUMPIDA; progressive mode connects the call by itself (next returns it, WebSocket push).
# Clock: --clock-start puts serve on a Tuesday 10:00 in Bogotá, inside the calling windows.
SONDEO=$1
SRC=$2
. "$SRC/tests/cli/lib.sh"
DB="$TMP/e.db"
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; [ -n "${KEEP:-}" ] && cp "$TMP/serve.err" /tmp/engine_serve.err; rm -rf "$TMP"; }
trap cleanup EXIT
q() { sqlite3 "$DB" "$1"; }

it=1000
echo 'clave-sara-1' | "$SONDEO" --db "$DB" users add sara --role supervisor --pbkdf2-iterations $it >/dev/null || fail "users add sara"
echo 'clave-ana-1' | "$SONDEO" --db "$DB" users add ana --role agent --pbkdf2-iterations $it >/dev/null || fail "users add ana"
for mode in preview progressive; do
  cat > "$TMP/$mode.yaml" <<YAML
id: $mode
name: Encuesta $mode
entity: Agencia de prueba
purpose: Medir la satisfacción
legal_basis: Ley 1581 de 2012 art. 10
survey: $SRC/examples/surveys/satisfaccion_art.yaml
dialing:
  mode: $mode
telephony:
  driver: simulated
YAML
  expect_rc 0 "campaign create $mode" -- "$SONDEO" --db "$DB" campaign create "$TMP/$mode.yaml"
  head -6 "$SRC/examples/bases/base_ejemplo.csv" > "$TMP/base-$mode.csv"
  expect_rc 0 "contacts import $mode" -- "$SONDEO" --db "$DB" contacts import "$TMP/base-$mode.csv" --campaign $mode
done
cat > "$TMP/serve.conf" <<CONF
sim_seed: 7
sim_answer_rate: 1
sim_busy_share: 0
sim_voicemail_share: 0
sim_invalid_share: 0
sim_damaged_share: 0
sim_ring_seconds: 3
CONF

start_serve() {
  "$SONDEO" --db "$DB" serve --listen 127.0.0.1:0 --config "$TMP/serve.conf" \
    --clock-start 2026-12-01T15:00:00Z >"$TMP/serve.out" 2>>"$TMP/serve.err" &
  SERVER_PID=$!
  wait_listening "$TMP/serve.out"
  [ -n "$URL" ] || { fail "serve did not start: $(cat "$TMP/serve.err")"; exit 1; }
}
kill9() { kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }
login() { # login USER PASSWORD JAR -> csrf
  curl -s -c "$3" -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$2\"}" \
    "$URL/api/v1/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])'
}
post() { # post JAR CSRF PATH [JSON] -> body (status in $TMP/code)
  local data='{}'
  [ $# -ge 4 ] && data=$4
  rm -f "$TMP/body"
  curl -s -o "$TMP/body" -w '%{http_code}' -b "$1" -H "X-CSRF-Token: $2" -H 'Content-Type: application/json' \
    --data-binary "$data" "$URL/api/v1$3" > "$TMP/code"
  cat "$TMP/body" 2>/dev/null
}
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }
wait_state() { # wait_state ATTEMPT STATE
  for _ in $(seq 1 150); do [ "$(q "SELECT state FROM attempts WHERE id = $1")" = "$2" ] && return 0; sleep 0.1; done
  return 1
}

start_serve
SARA=$(login sara clave-sara-1 "$TMP/sara")
ANA=$(login ana clave-ana-1 "$TMP/ana")
post "$TMP/sara" "$SARA" /campaigns/preview/start >/dev/null
[ "$(cat "$TMP/code")" = 200 ] && ok || fail "start preview: $(cat "$TMP/body")"

# Ready, then the engine's preview pick (an attempt is dialed for the agent).
r=$(post "$TMP/ana" "$ANA" /agent/state '{"state":"listo","campaign":"preview"}')
contains "$r" '"state":"listo"' "agent ready"
next=$(post "$TMP/ana" "$ANA" /campaigns/preview/next)
CID=$(printf '%s' "$next" | field '["contact"]["id"]')
ATT=$(printf '%s' "$next" | field '["call"]["attempt_id"]')
[ -n "$CID" ] && [ -n "$ATT" ] && ok || fail "next contact: $next"
doc=$(q "SELECT document FROM contacts WHERE id = $CID")
[ -n "$doc" ] && case "$next" in *"$doc"*) fail "document number in the card" ;; *) ok ;; esac
[ "$(q "SELECT contact_id || ' ' || agent || ' ' || mode FROM attempts WHERE id = $ATT")" = "$CID ana preview" ] \
  && ok || fail "attempt row: $(q "SELECT * FROM attempts WHERE id = $ATT")"
wait_state "$ATT" connected && ok || fail "call not connected: $(q "SELECT state FROM attempts WHERE id = $ATT")"
# Asking again (a reload) gives the same call, now connected: the offer kept for the held
# call is rebuilt when the call changes.
again=$(post "$TMP/ana" "$ANA" /campaigns/preview/next)
[ "$(printf '%s' "$again" | field '["call"]["attempt_id"]')" = "$ATT" ] \
  && [ "$(printf '%s' "$again" | field '["contact"]["id"]')" = "$CID" ] \
  && [ "$(printf '%s' "$again" | field '["call"]["connected"]')" = True ] \
  && ok || fail "next again, once connected: $(printf '%s' "$again" | head -c 300)"

# Too early / wrong: a complete without answers, and someone else's contact.
post "$TMP/ana" "$ANA" /contacts/$CID/result '{"idempotency_key":"k-0","disposition":"ENCUESTA_EFECTIVA","answers":{}}' >/dev/null
[ "$(cat "$TMP/code")" = 400 ] && ok || fail "complete without answers: $(cat "$TMP/code") $(cat "$TMP/body")"
ANSWERS='{"p1":{"amabilidad":"4","conocimiento":"3","actitud":"4","lenguaje":"4"},"p2":"3","p3":"si"}'
BODY="{\"idempotency_key\":\"k-1\",\"disposition\":\"ENCUESTA_EFECTIVA\",\"answers\":$ANSWERS,\"notes\":\"bien\"}"
res=$(post "$TMP/ana" "$ANA" /contacts/$CID/result "$BODY")
[ "$(cat "$TMP/code")" = 200 ] && ok || fail "result: $res"
contains "$res" '"complete":true' "result is a complete"
again=$(post "$TMP/ana" "$ANA" /contacts/$CID/result "$BODY")
contains "$again" '"duplicate":true' "retry replays"
[ "$(q "SELECT state || ' ' || disposition FROM attempts WHERE id = $ATT")" = "disposed ENCUESTA_EFECTIVA" ] \
  && ok || fail "attempt not disposed: $(q "SELECT state, disposition FROM attempts WHERE id = $ATT")"
[ "$(q "SELECT COUNT(*) FROM responses WHERE contact_id = $CID")" = 1 ] && ok || fail "responses: $(q "SELECT COUNT(*) FROM responses")"

# kill -9 right after the 200: the answer stays, the attempt is never dialed again.
kill9
start_serve
sleep 2.5  # a reconcile and a few ticks of the restarted engine
again=$(post "$TMP/ana" "$ANA" /contacts/$CID/result "$BODY")
contains "$again" '"duplicate":true' "retry after restart replays"
[ "$(q "SELECT COUNT(*) FROM attempts WHERE contact_id = $CID")" = 1 ] && ok || fail "contact re-dialed: $(q "SELECT id, state, disposition FROM attempts WHERE contact_id = $CID")"
[ "$(q "SELECT status FROM contact_dialing WHERE contact_id = $CID")" = final ] && ok || fail "contact not final"
[ "$(q "SELECT COUNT(*) FROM responses")" = 1 ] && ok || fail "responses after restart"

# A result recorded (step 1 of SubmitResult) but never disposed: the engine applies it on open.
SARA=$(login sara clave-sara-1 "$TMP/sara")
ANA=$(login ana clave-ana-1 "$TMP/ana")
post "$TMP/ana" "$ANA" /agent/state '{"state":"listo","campaign":"preview"}' >/dev/null
next=$(post "$TMP/ana" "$ANA" /campaigns/preview/next)
CID2=$(printf '%s' "$next" | field '["contact"]["id"]')
ATT2=$(printf '%s' "$next" | field '["call"]["attempt_id"]')
[ -n "$ATT2" ] && [ "$ATT2" != "$ATT" ] && ok || fail "second contact: $next"
wait_state "$ATT2" connected && ok || fail "second call not connected"
kill9
q "INSERT INTO agent_results(idempotency_key, user_name, campaign_id, contact_id, attempt_id, disposition, notes, answers_json, reply_json, state, created_ms) VALUES ('k-2', 'ana', 'preview', $CID2, $ATT2, 'ENCUESTA_EFECTIVA', 'recuperada', '$ANSWERS', '{\"ok\":true}', 'pending', 1)"
start_serve
for _ in $(seq 1 50); do [ "$(q "SELECT state FROM attempts WHERE id = $ATT2")" = disposed ] && break; sleep 0.1; done
[ "$(q "SELECT disposition || ' ' || notes FROM attempts WHERE id = $ATT2")" = "ENCUESTA_EFECTIVA recuperada" ] \
  && ok || fail "pending result not recovered: $(q "SELECT state, disposition FROM attempts WHERE id = $ATT2")"
[ "$(q "SELECT COUNT(*) FROM responses WHERE contact_id = $CID2")" = 1 ] && ok || fail "recovered answers not saved"
# Marked applied by a second pass right after the engine opened: wait for it, not the disposal.
for _ in $(seq 1 50); do [ "$(q "SELECT state FROM agent_results WHERE idempotency_key = 'k-2'")" = applied ] && break; sleep 0.1; done
[ "$(q "SELECT state FROM agent_results WHERE idempotency_key = 'k-2'")" = applied ] && ok || fail "k-2 not applied"

# Progressive: ready, and the engine dials and connects the call by itself.
SARA=$(login sara clave-sara-1 "$TMP/sara")
ANA=$(login ana clave-ana-1 "$TMP/ana")
post "$TMP/sara" "$SARA" /campaigns/progressive/start >/dev/null
python3 "$SRC/tests/server/ws_listen.py" "$URL" "$TMP/ana" 10 > "$TMP/ws.out" 2>"$TMP/ws.err" &
WS_PID=$!
sleep 0.5
post "$TMP/ana" "$ANA" /agent/state '{"state":"listo","campaign":"progressive"}' >/dev/null
PCID=
for _ in $(seq 1 150); do
  n=$(post "$TMP/ana" "$ANA" /campaigns/progressive/next)
  PCID=$(printf '%s' "$n" | python3 -c 'import json,sys; d=json.load(sys.stdin); print((d.get("contact") or {}).get("id",""))')
  [ -n "$PCID" ] && break
  sleep 0.1
done
[ -n "$PCID" ] && ok || fail "progressive call never reached the agent: $n"
wait "$WS_PID"
grep -q '"type":"call"' "$TMP/ws.out" && grep -q "\"id\":$PCID" "$TMP/ws.out" && ok \
  || fail "no call pushed over the WebSocket: $(cat "$TMP/ws.out" "$TMP/ws.err")"
res=$(post "$TMP/ana" "$ANA" /contacts/$PCID/result '{"idempotency_key":"k-3","disposition":"ENCUESTA_NO_EFECTIVA","notes":"no quiso"}')
[ "$(cat "$TMP/code")" = 200 ] && ok || fail "progressive result: $res"
post "$TMP/ana" "$ANA" /agent/state '{"state":"pausa","reason":"break"}' >/dev/null
# Paused from the CLI while serve runs: serve notices (campaigns table) and refuses agents.
expect_rc 0 "campaign pause from the CLI" -- "$SONDEO" --db "$DB" campaign pause progressive
sleep 2.5
post "$TMP/ana" "$ANA" /agent/state '{"state":"listo","campaign":"progressive"}' >/dev/null
[ "$(cat "$TMP/code")" = 409 ] && ok || fail "ready in a paused campaign: $(cat "$TMP/code") $(cat "$TMP/body")"
kill9

# The report sees what the agents did.
expect_rc 0 "report" -- "$SONDEO" --db "$DB" report preview --format json --out "$TMP/r.json"
python3 - "$TMP/r.json" <<'PY' && ok || fail "report"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["completes"] == 2, d["completes"]
eff = [x for x in d["dispositions"] if x["code"] == "ENCUESTA_EFECTIVA"]
assert eff and eff[0]["count"] == 2, d["dispositions"]
p3 = [x for x in d["questions"] if x["id"] == "p3"][0]
counts = {o["value"]: o["count"] for o in p3["items"][0]["options"]}
assert counts.get("si") == 2, p3
PY
finish
