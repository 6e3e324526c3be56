#!/usr/bin/env bash
# kill -9 `sondeo simulate` mid-run, run it again on the same database, and check that no
# attempt was dialed twice, no recorded disposition was lost, and the attempts in flight at
# the kill became INTERRUMPIDA without consuming an attempt.
# Usage: crash_test.sh SONDEO SOURCE_DIR
set -u
SONDEO=$1
SRC=$2
. "$SRC/tests/cli/lib.sh"
DB="$TMP/crash.db"
PIDS=()
cleanup_pids() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup_pids EXIT
q() { sqlite3 "$DB" "$1"; }

cat >"$TMP/crash.yaml" <<YAML
id: crash
name: Prueba de caída
entity: Entidad de prueba
purpose: Probar la recuperación del motor
legal_basis: Ley 1581 de 2012 art. 10 lit. a
survey: $SRC/examples/surveys/satisfaccion_art.yaml
dialing: {mode: predictive}
YAML

expect_rc 0 "init" -- "$SONDEO" --db "$DB" init
expect_rc 0 "campaign create" -- "$SONDEO" --db "$DB" campaign create "$TMP/crash.yaml"
expect_rc 0 "contacts import" -- "$SONDEO" --db "$DB" contacts import \
  "$SRC/examples/bases/base_ejemplo.csv" --campaign crash
expect_rc 1 "unknown campaign is a user error" -- "$SONDEO" --db "$DB" simulate --campaign nope --agents 2
contains "$ERR" "nope" "the error names the campaign"
expect_rc 1 "bad mode" -- "$SONDEO" --db "$DB" simulate --campaign crash --agents 2 --mode turbo
contains "$ERR" "--mode" "the error names the option"

# Kill -9 while calls are in flight (retry a few times if the kill lands between calls).
open=0
for try in 1 2 3 4 5; do
  "$SONDEO" --db "$DB" simulate --campaign crash --agents 20 --days 60 >/dev/null 2>&1 &
  pid=$!
  PIDS+=("$pid")
  sleep $((1 + try))
  if ! kill -0 "$pid" 2>/dev/null; then fail "simulate finished before the kill (try $try)"; break; fi
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  open=$(q "SELECT COUNT(*) FROM attempts WHERE state <> 'disposed'")
  [ "$open" -gt 0 ] && break
done
if [ "$open" -gt 0 ]; then ok; else fail "no attempt in flight at the kill"; fi
disposed_before=$(q "SELECT COUNT(*) FROM attempts WHERE state = 'disposed'")
q "SELECT id || ':' || disposition FROM attempts WHERE state = 'disposed'" | sort >"$TMP/before.txt"
q "SELECT id FROM attempts WHERE state <> 'disposed' ORDER BY id" >"$TMP/open.txt"
interrupted_before=$(q "SELECT COUNT(*) FROM attempts WHERE disposition = 'INTERRUMPIDA'")
[ "$disposed_before" -gt 0 ] && ok || fail "nothing disposed before the kill"

expect_rc 0 "simulate resumes" -- "$SONDEO" --db "$DB" --json simulate --campaign crash --agents 20 --days 1
contains "$OUT" "\"interrupted_on_resume\":$open" "in-flight attempts reported as interrupted"
contains "$OUT" "\"abandon_rate\"" "json has abandon_rate"
contains "$OUT" "\"by_disposition\"" "json has by_disposition"

# Every attempt open at the kill is now INTERRUMPIDA, disposed, not consumed.
while read -r id; do
  got=$(q "SELECT disposition || '/' || state || '/' || consumed FROM attempts WHERE id = $id")
  [ "$got" = "INTERRUMPIDA/disposed/0" ] && ok || fail "attempt $id after restart: $got"
done <"$TMP/open.txt"
[ "$(q "SELECT COUNT(*) FROM attempts WHERE disposition = 'INTERRUMPIDA'")" -ge $((interrupted_before + open)) ] \
  && ok || fail "INTERRUMPIDA count"
# No recorded disposition lost or changed.
q "SELECT id || ':' || disposition FROM attempts WHERE state = 'disposed'" | sort >"$TMP/after_all.txt"
missing=$(comm -23 "$TMP/before.txt" "$TMP/after_all.txt" | wc -l)
[ "$missing" -eq 0 ] && ok || fail "$missing recorded dispositions lost or changed"
# Nothing left open, and no contact dialed twice at the same time or under the same number.
[ "$(q "SELECT COUNT(*) FROM attempts WHERE state <> 'disposed'")" = 0 ] && ok || fail "attempts left open"
[ "$(q "SELECT COUNT(*) - COUNT(DISTINCT contact_id || '/' || attempt_number) FROM attempts")" = 0 ] \
  && ok || fail "an attempt number used twice"
overlap=$(q "SELECT COUNT(*) FROM attempts a JOIN attempts b ON a.contact_id = b.contact_id
  AND a.id < b.id AND b.dial_ms < COALESCE(a.wrapup_end_ms, a.end_ms, a.dial_ms)")
[ "$overlap" = 0 ] && ok || fail "$overlap contacts dialed while already in a call"
# One final disposition per final contact; contact counters match the attempts.
[ "$(q "SELECT COUNT(*) FROM contact_dialing WHERE (status = 'final') <> (final_disposition IS NOT NULL)")" = 0 ] \
  && ok || fail "final status without exactly one final disposition"
[ "$(q "SELECT COUNT(*) FROM contact_dialing d WHERE attempts <> (SELECT COUNT(*) FROM attempts a
  WHERE a.contact_id = d.contact_id AND a.consumed = 1)")" = 0 ] && ok || fail "attempt counters drifted"
[ "$(q "SELECT COUNT(*) FROM contact_dialing WHERE status = 'in_flight'")" = 0 ] && ok || fail "contacts stuck in flight"
finish
