#!/usr/bin/env bash
# `sondeo demo --kannel URL` against a real Kannel (bearerbox + smsbox, fakesmsc as the SMSC,
# tests/sms/kannel_rig.sh, 127.0.0.1, free ports):
#  - the demo schedules the campaign's SMS sequence (4 messages, 09:00..09:45 the next day)
#    for real, through the gateway, and sends nothing before it is due;
#  - `sms run` at the first legal moment after it (a working day, 10:00 Bogotá) sends it: checked
#    against fakesmsc's own log, every planned recipient gets each of the 4 messages exactly
#    once, with the accents intact, and a second `sms run` sends nothing more.
. "$(dirname "$0")/lib.sh"
SONDEO=$1
SRC=$2
RIG_DIR=$TMP
. "$SRC/tests/sms/kannel_rig.sh"
cleanup() {
  [ -n "${KEEP_TMP:-}" ] && { kannel_rig_kill; echo "kept $TMP" >&2; return; }
  kannel_rig_kill
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP" || exit 1
kannel_rig_config fake || exit 1
kannel_rig_start || { echo "Kannel did not start" >&2; exit 1; }
export SONDEO_SMS_USER=$KANNEL_USER SONDEO_SMS_PASSWORD=$KANNEL_PASSWORD SONDEO_SMS_FROM=890123

expect_rc 0 "demo --kannel" -- "$SONDEO" --json demo --dir "$TMP/d" --examples "$SRC/examples" \
  --kannel "$KANNEL_URL"
echo "$OUT" >"$TMP/summary.json"
DB=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["db"])' "$TMP/summary.json")
export SONDEO_DB=$DB
db() { sqlite3 -cmd ".timeout 5000" "$DB" "$@"; }
PLANNED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sms"]["plan"]["recipients"])' \
  "$TMP/summary.json")
[ "$PLANNED" -gt 100 ] && ok || fail "the sequence plans recipients ($PLANNED)"
[ "$(db "SELECT COUNT(*) FROM sms_blasts")" = 4 ] && ok || fail "4 blasts scheduled"
PENDING=$(db "SELECT COUNT(*) FROM sms_messages WHERE state = 'pending'")
[ "$PENDING" = $((PLANNED * 4)) ] && ok || fail "pending $PENDING, want 4 x $PLANNED"
sleep 0.5
[ "$(grep -c 'Got message' "$TMP/fakesmsc.log")" = 0 ] && ok || fail "sent before it was due"

# The first working day (not Sunday, not a holiday) from the scheduled date, at 10:00 Bogotá.
DAY=$(db "SELECT date(MAX(scheduled_ms) / 1000 - 5 * 3600, 'unixepoch') FROM sms_blasts")
YEAR=${DAY:0:4}
HOLIDAYS=$( { "$SONDEO" --json calendar holidays "$YEAR"; "$SONDEO" --json calendar holidays $((YEAR + 1)); } |
  python3 -c 'import json,sys; print(" ".join(h["date"] for l in sys.stdin for h in json.loads(l)))')
RUN_AT=$(python3 - "$DAY" "$HOLIDAYS" <<'PY'
import datetime, sys
d = datetime.date.fromisoformat(sys.argv[1])
hol = set(sys.argv[2].split())
while d.weekday() >= 5 or d.isoformat() in hol:  # Mon-Fri keeps the whole of 10:00-10:05 legal
    d += datetime.timedelta(days=1)
print(d.isoformat() + " 10:00")
PY
)
RUN=("$SONDEO" --json sms --clock-start "$RUN_AT" run --gateway kannel --gateway-url "$KANNEL_URL"
  --gateway-user "$KANNEL_USER" --from 890123)
expect_rc 0 "sms run at $RUN_AT" -- timeout 240 "${RUN[@]}"
SENT=$(db "SELECT COUNT(*) FROM sms_messages WHERE state = 'sent'")
[ "$SENT" = $((PLANNED * 4)) ] && ok || fail "sent $SENT, want 4 x $PLANNED: $OUT"

# fakesmsc's own log: each (recipient, message) once, accents intact.
for _ in $(seq 100); do
  [ "$(python3 "$SRC/tests/sms/fakesmsc_log.py" "$TMP/fakesmsc.log" 2>/dev/null | wc -l)" -ge "$SENT" ] && break
  sleep 0.1
done
python3 "$SRC/tests/sms/fakesmsc_log.py" "$TMP/fakesmsc.log" >"$TMP/got.tsv" 2>"$TMP/got.err"
GOT=$(wc -l <"$TMP/got.tsv")
[ "$GOT" = "$SENT" ] && ok || fail "fakesmsc got $GOT messages, sondeo sent $SENT"
DUP=$(cut -f1,2 "$TMP/got.tsv" | sort | uniq -d | wc -l)
[ "$DUP" = 0 ] && ok || fail "$DUP (recipient, text) pairs arrived twice"
TO=$(cut -f1 "$TMP/got.tsv" | sort -u | wc -l)
[ "$TO" = "$PLANNED" ] && ok || fail "$TO distinct recipients at fakesmsc, planned $PLANNED"
grep -q "implementación" "$TMP/got.tsv" && ok || fail "accents lost at fakesmsc"
grep -q "Montes de María en el municipio de " "$TMP/got.tsv" && ok || fail "template not filled"

expect_rc 0 "sms run again" -- timeout 60 "${RUN[@]}"
sleep 0.5
[ "$(python3 "$SRC/tests/sms/fakesmsc_log.py" "$TMP/fakesmsc.log" 2>/dev/null | wc -l)" = "$GOT" ] && ok ||
  fail "a second run sent again"
finish
