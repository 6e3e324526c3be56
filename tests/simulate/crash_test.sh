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

expect_rc 0 "init" -- "$SONDEO" --db "$DB" init
# A bare campaign row (the campaign's defaults) and 2000 synthetic contacts with 1-2 phones,
# written straight into the stable tables so this test depends only on `init` and `simulate`.
q "INSERT INTO campaigns (id, name, created_ms) VALUES ('crash', 'Prueba de caída', 0);
   WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
   INSERT INTO contacts (campaign_id, source_row, nombres) SELECT 'crash', i, 'Ciudadano ' || i FROM n;
   INSERT INTO phones (contact_id, e164, type, position)
     SELECT id, '+57300' || (1000000 + id * 7), 'mobile', 0 FROM contacts WHERE campaign_id = 'crash';
   INSERT INTO phones (contact_id, e164, type, position)
     SELECT id, '+57310' || (1000000 + id * 13), 'mobile', 1 FROM contacts
     WHERE campaign_id = 'crash' AND id % 3 = 0;"
[ "$(q "SELECT COUNT(*) FROM contacts WHERE campaign_id = 'crash'")" = 2000 ] && ok || fail "seed contacts"
expect_rc 1 "unknown campaign is a user error" -- "$SONDEO" --db "$DB" simulate --campaign nope --agents 2
contains "$ERR" "nope" "the error names the campaign"
expect_rc 1 "bad mode" -- "$SONDEO" --db "$DB" simulate --campaign crash --agents 2 --mode turbo
contains "$ERR" "--mode" "the error names the option"

# Kill -9 while calls are in flight (retry a few times if the kill lands between calls): as
# soon as some calls are disposed, however fast the machine runs the simulation (a fixed
# sleep let it finish first on a fast one).
open=0
for try in 1 2 3 4 5; do
  "$SONDEO" --db "$DB" simulate --campaign crash --agents 20 --days 60 --mode predictive >/dev/null 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 200); do
    [ "$(q "SELECT COUNT(*) FROM attempts WHERE state = 'disposed'" 2>/dev/null || echo 0)" -ge $((20 * try)) ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
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

expect_rc 0 "simulate resumes" -- "$SONDEO" --db "$DB" --json simulate --campaign crash --agents 5 --days 1 --mode predictive
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
