#!/usr/bin/env bash
# One dialing process per campaign (dialer/lease.h). With serve A dialing a campaign:
# `sondeo simulate` on it fails with one clear error naming A; a second serve B logs one
# clear error (not one per reconcile) and its API refuses agents in that campaign with it.
# After a kill -9 of A, B takes the campaign over within a reconcile (A's pid is dead: no
# expiry wait). When B stops, simulate runs.
SONDEO=$1
SRC=$2
. "$SRC/tests/cli/lib.sh"
DB="$TMP/l.db"
A_PID=
B_PID=
cleanup() { for p in $A_PID $B_PID; do kill -9 "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT
q() { sqlite3 "$DB" "$1"; }

echo 'clave-ana-1' | "$SONDEO" --db "$DB" users add ana --role agent --pbkdf2-iterations 1000 >/dev/null || fail "users add"
cat > "$TMP/c.yaml" <<YAML
id: lc
name: Encuesta concesión
entity: Agencia de prueba
purpose: Medir la satisfacción
legal_basis: Ley 1581 de 2012 art. 10
survey: $SRC/examples/surveys/satisfaccion_art.yaml
dialing:
  mode: progressive
telephony:
  driver: simulated
YAML
expect_rc 0 "campaign create" -- "$SONDEO" --db "$DB" campaign create "$TMP/c.yaml"
head -6 "$SRC/examples/bases/base_ejemplo.csv" > "$TMP/base.csv"
expect_rc 0 "contacts import" -- "$SONDEO" --db "$DB" contacts import "$TMP/base.csv" --campaign lc
expect_rc 0 "campaign start" -- "$SONDEO" --db "$DB" campaign start lc

start() { # start NAME -> pid in $PID, url in $URL
  "$SONDEO" --db "$DB" serve --listen 127.0.0.1:0 --clock-start 2026-12-01T15:00:00Z \
    >"$TMP/$1.out" 2>"$TMP/$1.err" &
  PID=$!
  wait_listening "$TMP/$1.out"
  [ -n "$URL" ] || fail "serve $1 did not start: $(cat "$TMP/$1.err")"
}
owner() { q "SELECT owner_pid FROM campaign_leases WHERE campaign_id = 'lc'"; }
wait_owner() { for _ in $(seq 1 60); do [ "$(owner)" = "$1" ] && return 0; sleep 0.1; done; return 1; }

start a; A_PID=$PID
wait_owner "$A_PID" && ok || fail "serve A holds no lease: $(q 'SELECT * FROM campaign_leases')"

# simulate on the campaign A dials: one clear error, exit 1, nothing dialed by it.
attempts=$(q "SELECT COUNT(*) FROM attempts")
expect_rc 1 "simulate while serve dials" -- "$SONDEO" --db "$DB" simulate --campaign lc --agents 1 --days 1
contains "$ERR" "la campaña lc ya la está marcando sondeo serve (pid $A_PID" "simulate's error names the holder"
[ "$(printf '%s\n' "$ERR" | grep -c .)" = 1 ] && ok || fail "simulate printed more than one line: $ERR"
[ "$(q "SELECT COUNT(*) FROM attempts")" = "$attempts" ] && ok \
  || fail "simulate dialed: $(q 'SELECT COUNT(*) FROM attempts') attempts, had $attempts"

# A second serve: one error in its log (after several reconciles), and its API says why.
start b; B_PID=$PID
sleep 5
n=$(grep -c 'ya la está marcando sondeo serve' "$TMP/b.err")
[ "$n" = 1 ] && ok || fail "serve B logged the lease error $n times: $(cat "$TMP/b.err")"
[ "$(owner)" = "$A_PID" ] && ok || fail "serve B took a live lease"
CSRF=$(curl -s -c "$TMP/ana" -H 'Content-Type: application/json' -d '{"user":"ana","password":"clave-ana-1"}' \
  "$URL/api/v1/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -b "$TMP/ana" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
  -d '{"state":"listo","campaign":"lc"}' "$URL/api/v1/agent/state")
[ "$code" = 409 ] && ok || fail "agent ready on serve B: $code $(cat "$TMP/body")"
contains "$(cat "$TMP/body")" "ya la está marcando" "serve B's API says who dials the campaign"

# kill -9 of A: B takes the campaign over at its next reconcile, without waiting the expiry.
kill -9 "$A_PID"; wait "$A_PID" 2>/dev/null; A_PID=
t0=$(date +%s%N)
wait_owner "$B_PID" && ok || fail "serve B did not take over: $(q 'SELECT * FROM campaign_leases')"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 5000 ] && ok || fail "take-over took $ms ms"
grep -q 'se retoma la concesión' "$TMP/b.err" && ok || fail "no take-over logged"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -b "$TMP/ana" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
  -d '{"state":"listo","campaign":"lc"}' "$URL/api/v1/agent/state")
[ "$code" = 200 ] && ok || fail "agent ready after the take-over: $code $(cat "$TMP/body")"

# B stops (SIGTERM): the lease is given up and simulate runs.
kill "$B_PID"; wait "$B_PID" 2>/dev/null; B_PID=
[ -z "$(owner)" ] && ok || fail "lease not released on a clean stop: $(q 'SELECT * FROM campaign_leases')"
expect_rc 0 "simulate once serve stopped" -- "$SONDEO" --db "$DB" simulate --campaign lc --agents 1 --days 1
finish
