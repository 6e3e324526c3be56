#!/usr/bin/env bash
# Delivery reports end to end: `sondeo serve` sends a scheduled blast through a real Kannel
# whose SMSC is tests/sms/smsc_sim.pl (SMPP 3.4), with dlr-url pointing at serve's own
# /api/v1/sms/dlr?token=...; the simulator decides by the recipient's last digit:
#   1-6 delivered (stat:DELIVRD), 0 failed (stat:UNDELIV), 7 expired (stat:EXPIRED),
#   8 accepted with no receipt (stays pending), 9 rejected by the SMSC (Kannel DLR 16).
# The statuses are asserted in the database and through `sms status --json`; a wrong token
# changes nothing; every submit_sm in the simulator's own log is one recipient, once.
. "$(dirname "$0")/../cli/lib.sh"
SONDEO=$1
HERE=$(cd "$(dirname "$0")" && pwd)
RIG_DIR=$TMP
. "$HERE/kannel_rig.sh"
. "$HERE/serve_rig.sh"  # the EXIT trap, $DB, db(), serve_rig_conf, start_serve
KANNEL_HTTP_RETRY=10 kannel_rig_config smpp || exit 1
kannel_rig_start || { echo "Kannel did not start: $(tail -3 "$TMP/bearerbox.log")" >&2; exit 1; }

# 50 recipients: five per last digit 0-9.
python3 "$HERE/seed_contacts.py" "$DB" 50 'Ana %d' '+573120000%03d' Orito || exit 1

expect_rc 0 "schedule" -- "$SONDEO" --json sms --clock-start "2026-11-27 10:00" send \
  --campaign art --at "2026-11-27 10:00" --no-wait --text "Hola {nombres}, su opinión cuenta."
serve_rig_conf
start_serve

# A report with a wrong token is refused and changes nothing.
CODE=$(curl -s -o /dev/null -w '%{http_code}' \
  "http://127.0.0.1:$PORT/api/v1/sms/dlr?token=wrong&key=sondeo-b1-c1&status=2")
[ "$CODE" = 404 ] && ok || fail "wrong token: HTTP $CODE, want 404"

# Final reports: 45 (every recipient but the five ending in 8, which only get the SMSC ack).
final() { db "SELECT COUNT(*) FROM sms_messages WHERE blast_id=1 AND dlr IN ('delivered','failed','expired')"; }
for _ in $(seq 300); do
  # (the reports can all be in before the sender has recorded the blast as done)
  [ "$(final)" -ge 45 ] && [ "$(db "SELECT COUNT(*) FROM sms_messages WHERE dlr='pending'")" -ge 5 ] &&
    [ "$(db "SELECT status FROM sms_blasts WHERE id=1")" = done ] && break
  sleep 0.1
done
[ "$(db "SELECT status FROM sms_blasts WHERE id=1")" = done ] && ok || fail "blast not done"
[ "$(final)" = 45 ] && ok || fail "final reports: $(final) of 45: $(tail -3 "$TMP/serve.err")"
dlr_of() { # dlr_of LAST_DIGIT -> the distinct dlr values of those recipients
  db "SELECT group_concat(DISTINCT COALESCE(dlr,'none')) FROM sms_messages WHERE blast_id=1 AND phone_e164 LIKE '%$1'"
}
for d in 1 2 3 4 5 6; do
  [ "$(dlr_of $d)" = delivered ] && ok || fail "last digit $d: dlr $(dlr_of $d), want delivered"
done
[ "$(dlr_of 0)" = failed ] && ok || fail "UNDELIV: dlr $(dlr_of 0), want failed"
[ "$(dlr_of 7)" = expired ] && ok || fail "EXPIRED: dlr $(dlr_of 7), want expired"
[ "$(dlr_of 8)" = pending ] && ok || fail "no receipt: dlr $(dlr_of 8), want pending"
[ "$(dlr_of 9)" = failed ] && ok || fail "SMSC reject: dlr $(dlr_of 9), want failed"
[ "$(db "SELECT group_concat(DISTINCT dlr_code) FROM sms_messages WHERE phone_e164 LIKE '%9'")" = 16 ] &&
  ok || fail "SMSC reject keeps Kannel's code 16"
expect_rc 0 "sms status" -- "$SONDEO" --json sms status --blast 1
contains "$OUT" '"dlr":{"delivered":30,"expired":5,"failed":10,"pending":5}' "sms status --json dlr"
contains "$OUT" '"sent":50' "sms status: 50 sent to Kannel"
# The simulator's own log: 50 submit_sm, one per recipient.
SUBMITS=$(grep -c '^SUBMIT ' "$TMP/smsc_sim.log")
DISTINCT=$(grep '^SUBMIT ' "$TMP/smsc_sim.log" | sed 's/.* to=\([0-9]*\).*/\1/' | sort -u | wc -l)
[ "$SUBMITS" = 50 ] && [ "$DISTINCT" = 50 ] && ok || fail "simulator: $SUBMITS submit_sm, $DISTINCT recipients"
[ "$(grep -c 'dcs=8' "$TMP/smsc_sim.log")" = 50 ] && ok || fail "UCS-2 (dcs 8) for the accented text"
finish
