#!/usr/bin/env bash
# `sondeo serve` sends a scheduled blast by itself (sms_gateway_* config keys) through a real
# Kannel (bearerbox + smsbox) with fakesmsc as the SMSC, all on 127.0.0.1 with free ports:
#  - `sms send --no-wait` only schedules a 1,000-recipient UCS-2 blast; serve picks it up;
#  - kill -9 of serve mid-blast (once a few hundred are sent), then serve again: it finishes;
#  - Kannel's delivery reports go to serve's /api/v1/sms/dlr (with the token); smsbox retries
#    the ones that hit the dead serve, and a report for a message left 'uncertain' by the
#    crash settles it as sent;
#  - checked against fakesmsc's own log: nobody got the message twice, every row marked sent
#    reached fakesmsc, every recipient at fakesmsc is a row marked sent (or uncertain, never
#    resent), and sent + uncertain = 1,000.
# KEEP_TMP=1 keeps the temp dir.
. "$(dirname "$0")/../cli/lib.sh"
SONDEO=$1
HERE=$(cd "$(dirname "$0")" && pwd)
RIG_DIR=$TMP
. "$HERE/kannel_rig.sh"
. "$HERE/serve_rig.sh"  # the EXIT trap, $DB, db(), serve_rig_conf, start_serve
# smsbox retries a dlr-url call that fails (serve killed) every second, 30 times.
KANNEL_STORE=1 KANNEL_HTTP_RETRY=30 kannel_rig_config fake || exit 1
kannel_rig_start || { echo "Kannel did not start" >&2; exit 1; }

python3 "$HERE/seed_contacts.py" "$DB" 1000 'Óscar %d' '+5731100%05d' Colosó || exit 1
count() { db "SELECT COUNT(*) FROM sms_messages WHERE blast_id=1 AND state='$1'"; }

# Friday 2026-11-27 10:00 in Bogotá (15:00 UTC): inside the legal SMS hours.
expect_rc 0 "schedule only" -- "$SONDEO" --json sms --clock-start "2026-11-27 10:00" send \
  --campaign art --at "2026-11-27 10:00" --no-wait --text "Hola {nombres}, la ART de {municipio} lo saluda."
contains "$OUT" '"blasts":[1]' "blast 1 scheduled"
[ "$(count pending)" = 1000 ] && ok || fail "scheduled: 1000 pending rows, got $(count pending)"
sleep 0.5
[ "$(grep -c 'Got message' "$TMP/fakesmsc.log")" = 0 ] && ok || fail "--no-wait sent something"

serve_rig_conf 'sms_gateway_concurrency: 4' 'sms_gateway_rate: 250' 'sms_gateway_batch: 16'
# wait_state STATE N [TENTHS]: until N rows of blast 1 are in STATE.
wait_state() {
  for _ in $(seq "${3:-300}"); do
    [ "$(count "$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

start_serve
wait_state sent 300 || fail "serve sent nothing by itself: $(tail -3 "$TMP/serve.err")"
kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""
BEFORE=$(count sent)
INFLIGHT=$(count sending)
[ "$BEFORE" -lt 1000 ] && ok || fail "serve was killed after the end of the blast"
# Claimed and not yet recorded: at most two batches and the concurrency (2 x 16 + 4).
[ "$INFLIGHT" -le 36 ] && ok || fail "kill: $INFLIGHT rows in flight, more than two batches and the concurrency"
echo "kill -9 of serve: $BEFORE sent, $INFLIGHT in flight" >&2

start_serve
# One sender per database: while serve sends, `sms run` is refused with one clear error and
# touches nothing (it would otherwise take serve's in-flight rows for a crash's).
for _ in $(seq 100); do grep -q 'envío programado activo' "$TMP/serve.err" && break; sleep 0.1; done
sleep 0.3
expect_rc 1 "sms run while serve sends" -- "$SONDEO" sms --clock-start "2026-11-27 10:00" run \
  --gateway kannel --gateway-url "$KANNEL_URL" --gateway-user dialer --from 890123
contains "$ERR" "el envío de SMS ya lo hace sondeo serve" "sms run names the sender that holds the lease"
for _ in $(seq 600); do
  [ "$(db "SELECT status FROM sms_blasts WHERE id=1")" = done ] && break
  sleep 0.1
done
[ "$(db "SELECT status FROM sms_blasts WHERE id=1")" = done ] && ok ||
  fail "restarted serve did not finish the blast: $(tail -3 "$TMP/serve.err")"
S=$(count sent); U=$(count uncertain)
[ $((S + U)) -eq 1000 ] && ok || fail "sent $S + uncertain $U != 1000"

# Every MT at fakesmsc, and every delivery report of the rows in flight at the kill.
for _ in $(seq 300); do
  [ "$(python3 "$HERE/fakesmsc_log.py" "$TMP/fakesmsc.log" 2>/dev/null | wc -l)" -ge "$S" ] && break
  sleep 0.1
done
sleep 1
python3 "$HERE/fakesmsc_log.py" "$TMP/fakesmsc.log" >"$TMP/got.tsv" 2>"$TMP/got.err"
GOT=$(cut -f1 "$TMP/got.tsv" | sort -u | wc -l)
for _ in $(seq 300); do
  [ "$(count sent)" -ge "$GOT" ] && break
  sleep 0.1
done
cut -f1 "$TMP/got.tsv" | sort >"$TMP/got"
sort -u "$TMP/got" >"$TMP/gotu"
db "SELECT substr(phone_e164,2) FROM sms_messages WHERE blast_id=1 AND state='sent'" | sort >"$TMP/sent"
db "SELECT substr(phone_e164,2) FROM sms_messages WHERE blast_id=1 AND state IN ('sent','uncertain')" | sort >"$TMP/maybe"
DUP=$(uniq -d "$TMP/got" | wc -l)
[ "$DUP" -eq 0 ] && ok || fail "$DUP recipients got the message twice at fakesmsc"
MISSING=$(comm -23 "$TMP/sent" "$TMP/gotu" | wc -l)
[ "$MISSING" -eq 0 ] && ok || fail "$MISSING rows marked sent never reached fakesmsc"
EXTRA=$(comm -13 "$TMP/maybe" "$TMP/gotu" | wc -l)
[ "$EXTRA" -eq 0 ] && ok || fail "$EXTRA recipients at fakesmsc are neither sent nor uncertain"
UNSETTLED=$(comm -13 "$TMP/sent" "$TMP/gotu" | wc -l)
[ "$UNSETTLED" -eq 0 ] && ok || fail "$UNSETTLED messages that reached fakesmsc are still uncertain (their DLR did not settle them)"
[ ! -s "$TMP/got.err" ] && ok || fail "incomplete messages at fakesmsc: $(head -2 "$TMP/got.err")"
cut -f1,2 "$TMP/got.tsv" | grep -qx $'573110000007\tHola Óscar 7, la ART de Colosó lo saluda.' && ok ||
  fail "accents intact: $(grep ^573110000007 "$TMP/got.tsv")"
DELIVERED=$(db "SELECT COUNT(*) FROM sms_messages WHERE blast_id=1 AND dlr='delivered'")
[ "$DELIVERED" -ge "$BEFORE" ] && ok || fail "DLRs through serve: only $DELIVERED delivered"
# No phone number in serve's log.
grep -q '3110000[0-9]' "$TMP/serve.err" && fail "a phone number in serve's log" || ok
echo "after restart: sent $(count sent) (= fakesmsc $GOT), uncertain $(count uncertain), delivered $DELIVERED" >&2
finish
