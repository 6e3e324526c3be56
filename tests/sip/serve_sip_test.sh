#!/usr/bin/env bash
# sondeo serve on the `sip` driver, end to end: a sipp UAS plays the carrier and the citizens
# (ring 1 s, answer, wait for our BYE), a second sipp UAS plays the agents' phones. An agent
# logs in over the HTTP API, goes ready in a progressive campaign, gets a call, submits a
# result. Asserted from sipp's own message logs: the citizen's INVITE went out (offerless,
# with the attempt's key), the agent's phone was INVITEd with the citizen's media and
# auto-answer, the citizen was ACKed with the agent's media (RFC 3725 flow I), and both legs
# ended with BYE. Then an agent whose phone does not answer: the call is ABANDONADA, the
# agent is paused, and the contact is not dialed again for that attempt.
SONDEO=$1
SRC=$2
. "$SRC/tests/cli/lib.sh"
DB="$TMP/s.db"
. "$SRC/tests/sip/serve_lib.sh"
start_rig citizens

add_users sara:supervisor ana:agent 4860000:agent
sip_campaign sipc "Encuesta SIP" "$CIT" 'caller_id: "6017431000"'
head -4 "$SRC/examples/bases/base_ejemplo.csv" > "$TMP/base.csv"
expect_rc 0 "contacts import" -- "$SONDEO" --db "$DB" contacts import "$TMP/base.csv" --campaign sipc
serve_conf 2000100 "$AGT"
# A bad agent URI format is refused with the file, line and key.
printf 'sip_agent_uri_format: sip:fijo@pbx\n' > "$TMP/bad.conf"
expect_rc 1 "agent uri without {agent}" -- "$SONDEO" --db "$DB" serve --listen 127.0.0.1:0 --config "$TMP/bad.conf"
contains "$ERR" "bad.conf:1:1: sip_agent_uri_format" "bad agent uri error names the place"

start_serve
login() { curl -s -c "$3" -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$2\"}" \
  "$URL/api/v1/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])'; }
SARA=$(login sara clave-sara-1 "$TMP/sara")
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -b "$TMP/sara" -H "X-CSRF-Token: $SARA" \
  -H 'Content-Type: application/json' -d '{}' "$URL/api/v1/campaigns/sipc/start")
[ "$code" = 200 ] && ok || fail "start campaign: $code $(cat "$TMP/body")"

# One call to ana, whose phone answers; she pauses before the result (no second call).
python3 "$HERE/desk_agent.py" "$URL" ana clave-ana-1 sipc "$TMP/acked" --results 1 --seconds 60 --talk 1 \
  2>"$TMP/ana.err" && ok || fail "ana's call: $(cat "$TMP/ana.err")"
read -r KEY CID ATT < "$TMP/acked"
[ -n "${ATT:-}" ] && ok || fail "no result acknowledged"
[ "$(q "SELECT state || ' ' || disposition || ' ' || agent FROM attempts WHERE id = ${ATT:-0}")" = "disposed ENCUESTA_NO_EFECTIVA ana" ] \
  && ok || fail "attempt: $(q "SELECT * FROM attempts WHERE id = ${ATT:-0}")"
IKEY=$(q "SELECT idempotency_key FROM attempts WHERE id = ${ATT:-0}")
sleep 1.5  # BYEs and their 200s reach the logs

# What the peers saw. Citizens: one INVITE, offerless, carrying the attempt's key.
n=$(grep -c '^INVITE sip:' "$TMP/citizens.msg")
[ "$n" = 1 ] && ok || fail "citizens saw $n INVITEs, want 1"
grep -q "^X-Sondeo-Attempt: $IKEY" "$TMP/citizens.msg" && ok || fail "no X-Sondeo-Attempt $IKEY at the carrier"
PYTHONPATH=$HERE python3 - "$TMP/citizens.msg" "$TMP/agents.msg" <<'PY' && ok || fail "3PCC flow in the sipp logs"
import re, sys
from sipp_log import messages, requests
cit, agt = messages(sys.argv[1]), messages(sys.argv[2])
inv = requests(sys.argv[1], "INVITE")[0]
assert inv.header("Content-Length") == "0" and not inv.body(), "citizen INVITE had an offer"
ok200 = [m for m in cit if m.direction == "sent" and m.first.startswith("SIP/2.0 200") and "m=audio" in m.body()][0]
cit_port = re.search(r"m=audio (\d+)", ok200.body()).group(1)
ainv = [m for m in requests(sys.argv[2], "INVITE") if m.first.startswith("INVITE sip:ana@")]
assert ainv, "agent phone not INVITEd"
assert "answer-after=0" in (ainv[0].header("Call-Info") or ""), "no auto-answer"
assert f"m=audio {cit_port}" in ainv[0].body(), "agent not offered the citizen's media"
aok = [m for m in agt if m.direction == "sent" and m.first.startswith("SIP/2.0 200") and "m=audio" in m.body()][0]
agt_port = re.search(r"m=audio (\d+)", aok.body()).group(1)
ack = requests(sys.argv[1], "ACK")[0]
assert f"m=audio {agt_port}" in ack.body(), "citizen not ACKed with the agent's media"
assert requests(sys.argv[1], "BYE"), "no BYE to the citizen"
assert requests(sys.argv[2], "BYE"), "no BYE to the agent"
PY
leaked=
for n in $(q "SELECT substr(e164, 4) FROM phones"); do grep -q "$n" "$TMP/serve.err" && leaked=1; done
[ -z "$leaked" ] && ok || fail "a phone number in serve's log"

# An agent whose phone is busy (sipp answers 486 to this user part): ABANDONADA (an
# abandoned live answer), the contact pending again, the agent paused; the attempt is never
# dialed twice.
BUSY=$(login 4860000 clave-4860000-1 "$TMP/busy")
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -b "$TMP/busy" -H "X-CSRF-Token: $BUSY" -H 'Content-Type: application/json' \
  -d '{"state":"listo","campaign":"sipc"}' "$URL/api/v1/agent/state")
[ "$code" = 200 ] && ok || fail "busy agent ready: $code $(cat "$TMP/body")"
for _ in $(seq 1 300); do
  [ "$(q "SELECT COUNT(*) FROM attempts WHERE agent = '4860000' AND state = 'disposed'")" -ge 1 ] && break; sleep 0.1
done
sleep 2  # a reconcile and ticks: the paused agent must get nothing more
AB=$(q "SELECT id FROM attempts WHERE agent = '4860000' ORDER BY id LIMIT 1")
[ -n "$AB" ] && ok || fail "no call for the agent with the busy phone: $(q 'SELECT id, agent, state, disposition FROM attempts')"
[ "$(q "SELECT disposition || ' ' || abandoned || ' ' || live FROM attempts WHERE id = ${AB:-0}")" = "ABANDONADA 1 1" ] \
  && ok || fail "agent leg failure: $(q "SELECT * FROM attempts WHERE id = ${AB:-0}")"
# Not lost: the contact is pending again (ABANDONADA retries per the campaign's catalogue).
[ "$(q "SELECT d.status FROM contact_dialing d JOIN attempts a ON a.contact_id = d.contact_id WHERE a.id = ${AB:-0}")" = pending ] \
  && ok || fail "abandoned contact not pending"
[ "$(q "SELECT COUNT(*) FROM attempts WHERE agent = '4860000'")" = 1 ] && ok \
  || fail "the dead phone got more calls: $(q "SELECT id, disposition FROM attempts WHERE agent = '4860000'")"
sleep 1.5
PYTHONPATH=$HERE python3 - "$TMP/citizens.msg" "$DB" <<'PY' && ok || fail "one INVITE per attempt"
import collections, sqlite3, sys
from sipp_log import requests
per_key = collections.defaultdict(set)
for m in requests(sys.argv[1], "INVITE"):
    per_key[m.header("X-Sondeo-Attempt") or "?"].add(m.header("Call-ID"))
keys = {r[0] for r in sqlite3.connect(sys.argv[2]).execute("SELECT idempotency_key FROM attempts")}
assert all(len(v) == 1 for v in per_key.values()), dict(per_key)
assert set(per_key) <= keys, (set(per_key), keys)
assert len(per_key) == 2, dict(per_key)
PY
grep -c '^BYE sip:' "$TMP/citizens.msg" | grep -qx 2 && ok || fail "citizens saw $(grep -c '^BYE sip:' "$TMP/citizens.msg") BYEs, want 2"
finish
