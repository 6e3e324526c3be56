#!/usr/bin/env bash
# Reliability: kill -9 of `sondeo serve` in the middle of a progressive campaign on the sip
# driver, then a restart that finishes the campaign. A sipp UAS plays the citizens (ring 2 s,
# then answer and wait for our BYE), a second one the agents' phones; two agents work through
# the HTTP API (tests/sip/desk_agent.py) and record every result serve acknowledged.
# Checked against sipp's own message log, not only the database:
#   - no attempt was INVITEd twice (distinct Call-IDs per X-Sondeo-Attempt key <= 1), and per
#     dialed number the INVITEs never exceed the attempts the database has for it; every
#     attempt with a real outcome was INVITEd exactly once;
#   - no acknowledged answer is missing (each acked key applied, its attempt disposed so);
#   - every contact ends with exactly one final disposition;
#   - the restarted serve took the dead one's campaign lease at once (dialer/lease.h).
SONDEO=$1
SRC=$2
. "$SRC/tests/cli/lib.sh"
DB="$TMP/k.db"
. "$SRC/tests/sip/serve_lib.sh"
start_rig citizens

add_users sara:supervisor ana:agent luis:agent
sip_campaign k9 "Encuesta SIP kill -9" "$CIT"
import_synthetic k9 1
serve_conf 2000200 "$AGT"

start_agents() { # start_agents ROUND
  AGENTS=()
  for a in ana luis; do
    python3 "$HERE/desk_agent.py" "$URL" $a clave-$a-1 k9 "$TMP/acked" --results 100 --seconds 120 \
      --talk 0.5 --prefix "r$1" 2>>"$TMP/agents.err" &
    AGENTS+=($!)
  done
}
stop_agents() { for p in "${AGENTS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; AGENTS=(); }
acked() { [ -f "$TMP/acked" ] && wc -l < "$TMP/acked" || echo 0; }

start_serve
SARA=$(curl -s -c "$TMP/sara" -H 'Content-Type: application/json' -d '{"user":"sara","password":"clave-sara-1"}' \
  "$URL/api/v1/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -b "$TMP/sara" -H "X-CSRF-Token: $SARA" \
  -H 'Content-Type: application/json' -d '{}' "$URL/api/v1/campaigns/k9/start")
[ "$code" = 200 ] && ok || fail "start campaign: $code $(cat "$TMP/body")"
CONTACTS=$(q "SELECT COUNT(*) FROM contacts WHERE campaign_id = 'k9'")
[ "$CONTACTS" = 12 ] && ok || fail "$CONTACTS contacts imported, want 12"

# Kill -9 once a few results are acknowledged and calls are in flight.
start_agents 1
killed=
for _ in $(seq 1 600); do
  if [ "$(acked)" -ge 3 ] && [ "$(q "SELECT COUNT(*) FROM attempts WHERE state <> 'disposed'")" -ge 1 ]; then
    kill -9 "$SERVER_PID"; killed=1; break
  fi
  sleep 0.05
done
[ -n "$killed" ] && ok || fail "never reached the kill point: $(acked) acked"
wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
IN_FLIGHT=$(q "SELECT COUNT(*) FROM attempts WHERE state <> 'disposed'")
[ "$IN_FLIGHT" -ge 1 ] && ok || fail "nothing in flight at the kill"
stop_agents
ACKED_BEFORE=$(acked)
[ "$(q "SELECT owner_kind FROM campaign_leases WHERE campaign_id = 'k9'")" = serve ] && ok || fail "no lease left by the killed serve"

# Restart at once: the dead serve's lease is taken over, the campaign finishes.
start_serve
start_agents 2
for _ in $(seq 1 900); do
  [ "$(q "SELECT COUNT(*) FROM contact_dialing WHERE campaign_id = 'k9' AND status = 'final'")" = "$CONTACTS" ] && break
  sleep 0.1
done
stop_agents
[ "$(q "SELECT COUNT(*) FROM contact_dialing WHERE campaign_id = 'k9' AND status = 'final'")" = "$CONTACTS" ] && ok \
  || fail "campaign did not finish: $(q "SELECT status, COUNT(*) FROM contact_dialing GROUP BY status")"
[ "$(acked)" -gt "$ACKED_BEFORE" ] && ok || fail "no result after the restart"
grep -q 'se retoma la concesión' "$TMP/serve.err" && ok || fail "the restarted serve did not take the lease over"
[ "$(q "SELECT COUNT(*) FROM attempts WHERE disposition = 'INTERRUMPIDA' AND consumed = 0")" -ge 1 ] && ok \
  || fail "no INTERRUMPIDA attempt after the kill"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
sleep 1.2  # the last BYEs reach sipp's log

PYTHONPATH=$HERE python3 - "$TMP/citizens.msg" "$DB" "$TMP/acked" <<'PY' && ok || fail "peer log / database checks"
import collections, re, sqlite3, sys
from sipp_log import requests
invites = requests(sys.argv[1], "INVITE")
db = sqlite3.connect(sys.argv[2])
per_key = collections.defaultdict(set)
per_user = collections.defaultdict(set)
for m in invites:
    key = m.header("X-Sondeo-Attempt")
    assert key, "an INVITE without its attempt key"
    per_key[key].add(m.header("Call-ID"))
    user = re.match(r"INVITE sip:([^@;]+)@", m.first).group(1)
    per_user[user].add(m.header("Call-ID"))
twice = {k: v for k, v in per_key.items() if len(v) > 1}
assert not twice, f"attempts INVITEd twice: {twice}"
rows = db.execute("SELECT idempotency_key, e164, disposition FROM attempts WHERE campaign_id = 'k9'").fetchall()
keys = {r[0]: r for r in rows}
assert set(per_key) <= set(keys), set(per_key) - set(keys)
attempts_per_user = collections.Counter("2000200" + r[1].lstrip("+") for r in rows)
for user, calls in per_user.items():
    assert len(calls) <= attempts_per_user[user], (user[-4:], len(calls), attempts_per_user[user])
for key, e164, disp in rows:
    if disp != "INTERRUMPIDA":
        assert len(per_key.get(key, ())) == 1, f"attempt {key} ({disp}) INVITEd {len(per_key.get(key, ()))} times"
acked = [l.split() for l in open(sys.argv[3]) if l.strip()]
assert acked
for key, contact, attempt in acked:
    st = db.execute("SELECT state FROM agent_results WHERE idempotency_key = ?", (key,)).fetchone()
    assert st and st[0] == "applied", f"acknowledged result {key} missing: {st}"
    d = db.execute("SELECT disposition FROM attempts WHERE id = ?", (int(attempt),)).fetchone()
    assert d and d[0] == "ENCUESTA_NO_EFECTIVA", f"attempt {attempt}: {d}"
finals = db.execute("SELECT COUNT(*) FROM contact_dialing WHERE campaign_id = 'k9'"
                    " AND status = 'final' AND final_disposition IS NOT NULL").fetchone()[0]
assert finals == db.execute("SELECT COUNT(*) FROM contacts WHERE campaign_id = 'k9'").fetchone()[0]
print(f"{len(invites)} INVITEs for {len(rows)} attempts, {len(acked)} acknowledged results", file=sys.stderr)
PY
finish
