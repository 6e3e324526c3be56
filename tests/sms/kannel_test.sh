#!/usr/bin/env bash
# End to end through a real Kannel (bearerbox + smsbox) with fakesmsc as the SMSC, on
# 127.0.0.1 with free ports. Every delivery claim is checked against fakesmsc's own log
# (fakesmsc_log.py), not only against sondeo's database:
#  - the monthly cap refuses before anything goes out; an admin's approval overrides (audited);
#  - a 1,000-recipient UCS-2 blast (coding=2, charset=UTF-8) arrives exactly once per recipient
#    with every accent intact, in as many parts as sondeo billed;
#  - Kannel's delivery reports (dlr-url) change the messages' statuses;
#  - kill -9 of the sender mid-blast, then `sms run`: nobody gets it twice, and after the DLRs
#    reconcile the interrupted batch, the rows marked sent are exactly the recipients
#    fakesmsc saw;
#  - Kannel stopped mid-blast: the send pauses (nothing marked sent while it is down), then
#    resumes by itself when Kannel is back, with no loss and no duplicate;
#  - an MO "Salir" puts the number on the suppression list.
# KEEP_TMP=1 keeps the temp dir (logs, database) for debugging.
. "$(dirname "$0")/../cli/lib.sh"
SONDEO=$1
HERE=$(cd "$(dirname "$0")" && pwd)
RIG_DIR=$TMP
. "$HERE/kannel_rig.sh"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  kannel_rig_kill
  wait 2>/dev/null
  if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

free_port() { kannel_rig_free_port; }
wait_port() { kannel_rig_wait_port "$1"; }
alive() { kannel_rig_alive "$1"; }
# Kannel keeps its queue on disk (a graceful stop delivers it); MT users: dialer / secret.
KANNEL_STORE=1 kannel_rig_config fake || exit 1
DLRP=$(free_port)
SENDSMS=$KANNEL_SENDSMS
start_kannel() { kannel_rig_start || { echo "Kannel did not start" >&2; exit 1; }; }
stop_kannel() { kannel_rig_stop; }
start_kannel
python3 "$HERE/http_sink.py" "$DLRP" >"$TMP/dlr.log" 2>"$TMP/dlr.err" &
PIDS+=($!)
wait_port "$DLRP" || { echo "DLR sink did not start" >&2; exit 1; }

DB=$TMP/s.db
export SONDEO_DB=$DB SONDEO_SMS_PASSWORD=secret
"$SONDEO" init >/dev/null || { echo "init failed" >&2; exit 1; }
# 1,000 contacts with a mobile each (+5730000XXXXX), accents in names and municipio.
python3 "$HERE/seed_contacts.py" "$DB" 1000 'María Ángela %d' '+5730000%05d' Colosó,Orito || exit 1
db() { sqlite3 -cmd ".timeout 5000" "$DB" "$@"; }
# Friday 10:00 in Bogotá: inside legal hours whatever the real time.
SMS=("$SONDEO" sms --clock-start "2026-11-27 10:00" --actor supervisor)
GW=(--gateway-url "http://127.0.0.1:$SENDSMS/cgi-bin/sendsms" --gateway-user dialer --from 890123
    --dlr-url "http://127.0.0.1:$DLRP/dlr")

received() { python3 "$HERE/fakesmsc_log.py" "$TMP/fakesmsc.log" "${1:-0}"; }
wait_received() { # wait_received FROM_LINE COUNT: until COUNT complete MTs arrived (30 s)
  for _ in $(seq 150); do
    [ "$(received "$1" 2>/dev/null | wc -l)" -ge "$2" ] && return 0
    sleep 0.2
  done
  return 1
}
# wait_sent BLAST N: until N rows of that blast are 'sent' (30 s). The kill and the outage
# below happen mid-blast by construction, not by a guess about timing.
wait_sent() {
  for _ in $(seq 300); do
    [ "$(db "SELECT COUNT(*) FROM sms_messages WHERE blast_id=$1 AND state='sent'")" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
sent_count() { db "SELECT COUNT(*) FROM sms_messages WHERE blast_id=$1 AND state='$2'"; }
# dlr_for KEY...: applies every DLR Kannel called back for these keys, in arrival order.
dlr_for() {
  local key k status
  for key in "$@"; do
    grep "^$key " "$TMP/dlr.log" | while read -r k status; do
      "${SMS[@]}" dlr --key "$k" --status "$status" >/dev/null 2>>"$TMP/dlr_cli.err" || echo "dlr $k $status" >>"$TMP/dlrfail"
    done
  done
}
# wait_dlrs BLAST N: until Kannel called back (status 8, SMSC ack) for N distinct keys of BLAST.
wait_dlrs() {
  for _ in $(seq 150); do
    [ "$(grep "^sondeo-b$1-c[0-9]* 8$" "$TMP/dlr.log" | sort -u | wc -l)" -ge "$2" ] && return 0
    sleep 0.2
  done
  return 1
}
# same_recipients BLAST FILE WHAT: the rows marked 'sent' are exactly the recipients in FILE
# (fakesmsc's), and nobody is in FILE twice.
same_recipients() {
  db "SELECT substr(phone_e164,2) FROM sms_messages WHERE blast_id=$1 AND state='sent'" | sort >"$TMP/db$1"
  cut -f1 "$2" | sort >"$TMP/got$1"
  local dup missing extra
  sort -u "$TMP/got$1" >"$TMP/gotu$1"
  dup=$(uniq -d "$TMP/got$1" | wc -l)
  missing=$(comm -23 "$TMP/db$1" "$TMP/gotu$1" | wc -l)
  extra=$(comm -13 "$TMP/db$1" "$TMP/gotu$1" | wc -l)
  [ "$dup" -eq 0 ] && ok || fail "$3: $dup recipients got it twice"
  [ "$missing" -eq 0 ] && ok || fail "$3: $missing rows marked sent never reached fakesmsc"
  [ "$extra" -eq 0 ] && ok || fail "$3: $extra recipients at fakesmsc not marked sent"
}

# --- the cap refuses, the approval overrides ----------------------------------------------
TEXT1="Hola {nombres}, la ART lo invita a la socialización del PDET en {municipio}."
expect_rc 0 "contract" -- "${SMS[@]}" contract --cap 1500 --unit-price 20
expect_rc 1 "cap refuses" -- "${SMS[@]}" send --campaign art --at "2026-11-27 10:00" --text "$TEXT1" "${GW[@]}"
contains "$ERR" "supera el tope mensual" "cap message"
contains "$ERR" "saldo 1500" "cap message shows the balance"
contains "$ERR" "GSM-7" "cap message shows the alternative"
contains "$OUT" "1000 destinatarios" "shows recipients before"
contains "$OUT" "2000 segmentos, costo 40000.00" "shows segments and cost before"
[ "$(db "SELECT COUNT(*) FROM sms_messages")" = 0 ] && ok || fail "refused: nothing written"
[ "$(received 0 | wc -l)" -eq 0 ] && ok || fail "refused: nothing sent"

# --- 1,000-recipient blast, exactly once, accents intact (UCS-2) --------------------------
expect_rc 0 "blast approved" -- "$SONDEO" --json sms --clock-start "2026-11-27 10:00" --actor admin send \
  --campaign art --at "2026-11-27 10:00" --approve-overrun --text "$TEXT1" "${GW[@]}"
contains "$OUT" '"sent":1000' "1000 sent"
contains "$OUT" '"exceeds":true' "overrun shown"
[ "$(db "SELECT COUNT(*) FROM audit_log WHERE action='sms.cap.overrun_approved' AND actor='admin'")" = 1 ] \
  && ok || fail "overrun approval audited"
wait_received 0 1000 || fail "1000 complete MTs at fakesmsc"
received 0 >"$TMP/r1.tsv" 2>"$TMP/r1.err"
[ ! -s "$TMP/r1.err" ] && ok || fail "blast: incomplete concatenated messages: $(head -3 "$TMP/r1.err")"
same_recipients 1 "$TMP/r1.tsv" "blast"
[ "$(cut -f1 "$TMP/r1.tsv" | sort -u | wc -l)" -eq 1000 ] && ok || fail "blast: not 1000 distinct recipients"
# Every text, byte for byte (accents intact), as sondeo rendered it.
db "SELECT substr(phone_e164,2) || char(9) || text FROM sms_messages WHERE blast_id=1" | sort >"$TMP/want1"
cut -f1,2 "$TMP/r1.tsv" | sort >"$TMP/have1"
if diff -q "$TMP/want1" "$TMP/have1" >/dev/null; then ok; else
  fail "blast: texts differ at fakesmsc: $(diff "$TMP/want1" "$TMP/have1" | head -4)"; fi
grep -qx $'573000000007\tHola María Ángela 7, la ART lo invita a la socialización del PDET en Colosó.' "$TMP/have1" \
  && ok || fail "accents intact: $(grep ^573000000007 "$TMP/have1")"
# Billed segments = parts at the SMSC (UCS-2: 67 per part), and every part was UCS-2 data.
PARTS=$(awk -F'\t' '{s += $3} END {print s}' "$TMP/r1.tsv")
SEGS=$(db "SELECT SUM(segments) FROM sms_messages WHERE blast_id=1")
[ "$PARTS" = "$SEGS" ] && [ "$SEGS" = 2000 ] && ok || fail "blast: $PARTS parts at fakesmsc, $SEGS segments billed"

# --- delivery reports change the statuses ---------------------------------------------------
wait_dlrs 1 20 || fail "DLR callbacks from Kannel"
for _ in $(seq 100); do [ "$(grep -c '^sondeo-b1-c[0-9]* 1$' "$TMP/dlr.log")" -ge 20 ] && break; sleep 0.1; done
[ "$(db "SELECT COUNT(*) FROM sms_messages WHERE dlr IS NOT NULL")" = 0 ] && ok || fail "no DLR applied yet"
dlr_for $(seq -f 'sondeo-b1-c%g' 1 20)
[ ! -e "$TMP/dlrfail" ] && ok || fail "sms dlr: $(cat "$TMP/dlrfail")"
[ "$(db "SELECT COUNT(*) FROM sms_messages WHERE blast_id=1 AND dlr='delivered' AND contact_id<=20")" = 20 ] \
  && ok || fail "DLRs: 20 delivered"
[ "$(db "SELECT COUNT(*) FROM sms_messages WHERE dlr IS NOT NULL AND contact_id>20")" = 0 ] \
  && ok || fail "DLRs: only the reported rows changed"
expect_rc 0 "status" -- "$SONDEO" --json sms status --blast 1
contains "$OUT" '"delivered":20' "status shows delivered"

# --- kill -9 of the sender mid-blast, then sms run: never twice, DB = fakesmsc --------------
expect_rc 0 "contract off" -- "${SMS[@]}" contract --cap 0
L2=$(wc -l <"$TMP/fakesmsc.log")
"${SMS[@]}" send --campaign art --at "2026-11-27 10:00" --text "Segundo mensaje para {nombres}" \
  "${GW[@]}" --rate 400 --concurrency 4 --batch 16 >"$TMP/send2.out" 2>&1 &
SP=$!; PIDS+=("$SP")
wait_sent 2 200 || fail "kill: sender made no progress"
kill -9 "$SP"; wait "$SP" 2>/dev/null
BEFORE=$(sent_count 2 sent)
INFLIGHT=$(sent_count 2 sending)
[ "$BEFORE" -ge 200 ] && [ "$BEFORE" -lt 1000 ] && ok || fail "killed mid-blast (sent=$BEFORE)"
# Claimed and not yet recorded: the batch waiting to start (refilled below the concurrency),
# the requests on the wire, and the results of the batch being recorded: 2 x 16 + 4.
[ "$INFLIGHT" -le 36 ] && ok || fail "kill: $INFLIGHT rows in flight, more than two batches and the concurrency"
expect_rc 0 "resume after kill" -- "$SONDEO" --json sms --clock-start "2026-11-27 10:00" run --blast 2 "${GW[@]}"
contains "$OUT" '"done":true' "resumed to the end"
contains "$OUT" "\"recovered_uncertain\":$INFLIGHT" "interrupted batch reported as uncertain"
S2=$(sent_count 2 sent); U2=$(sent_count 2 uncertain)
[ $((S2 + U2)) -eq 1000 ] && [ "$U2" -eq "$INFLIGHT" ] && ok || fail "kill: sent $S2 + uncertain $U2 != 1000"
wait_received "$L2" "$S2" || fail "kill: MTs at fakesmsc"
sleep 1
received "$L2" >"$TMP/r2.tsv"
GOT2=$(cut -f1 "$TMP/r2.tsv" | sort -u | wc -l)
# Kannel acknowledges every MT that reached fakesmsc: wait for those acks, then let the DLRs
# of the uncertain rows tell which of them went out (sondeo serve does this in production).
wait_dlrs 2 "$GOT2" || fail "kill: DLRs for the $GOT2 MTs at fakesmsc"
dlr_for $(db "SELECT idem_key FROM sms_messages WHERE blast_id=2 AND state='uncertain'")
[ ! -e "$TMP/dlrfail" ] && ok || fail "sms dlr: $(cat "$TMP/dlrfail")"
same_recipients 2 "$TMP/r2.tsv" "kill"
S2B=$(sent_count 2 sent); U2B=$(sent_count 2 uncertain)
echo "kill -9: $BEFORE sent before the kill, $INFLIGHT in flight; after resume and DLRs: sent $S2B" \
  "(= fakesmsc), uncertain and never resent $U2B (never reached fakesmsc)" >&2

# --- Kannel stopped mid-blast: the send pauses, then resumes --------------------------------
L3=$(wc -l <"$TMP/fakesmsc.log")
"$SONDEO" --json sms --clock-start "2026-11-27 10:00" send --campaign art --at "2026-11-27 10:00" \
  --text "Tercer mensaje" "${GW[@]}" --rate 300 --concurrency 4 --batch 16 >"$TMP/send3.out" 2>"$TMP/send3.err" &
SP=$!; PIDS+=("$SP")
wait_sent 3 100 || fail "outage: sender made no progress"
stop_kannel
sleep 0.5
DOWN=$(sent_count 3 sent)
sleep 2
[ "$(sent_count 3 sent)" = "$DOWN" ] && ok || fail "outage: rows marked sent while Kannel was down"
alive "$SP" && ok || fail "outage: the sender gave up instead of pausing"
start_kannel
wait "$SP"; RC=$?
[ "$RC" -eq 0 ] && ok || fail "outage: sender exit $RC: $(tail -3 "$TMP/send3.err")"
contains "$(cat "$TMP/send3.err")" "gateway no disponible" "outage: paused with backoff"
contains "$(cat "$TMP/send3.out")" '"done":true' "outage: finished"
S3=$(sent_count 3 sent); U3=$(sent_count 3 uncertain)
[ $((S3 + U3)) -eq 1000 ] && [ "$S3" -gt "$DOWN" ] && ok || fail "outage: sent $S3 + uncertain $U3 != 1000"
wait_received "$L3" "$S3" || fail "outage: MTs at fakesmsc"
sleep 1
received "$L3" >"$TMP/r3.tsv"
if [ "$U3" -gt 0 ]; then
  wait_dlrs 3 "$(cut -f1 "$TMP/r3.tsv" | sort -u | wc -l)"
  dlr_for $(db "SELECT idem_key FROM sms_messages WHERE blast_id=3 AND state='uncertain'")
fi
same_recipients 3 "$TMP/r3.tsv" "outage"
grep -qv $'\ttext$' "$TMP/r3.tsv" && fail "outage: a GSM-7 text was not sent as plain text" || ok
echo "outage: $DOWN sent before Kannel stopped; sent $(sent_count 3 sent), uncertain $(sent_count 3 uncertain)" >&2

# --- MO opt-out -----------------------------------------------------------------------------
expect_rc 0 "mo" -- "${SMS[@]}" --json mo --from 573000000003 --text "Salir"
contains "$OUT" '"opt_out":true' "opt-out"
[ "$(db "SELECT COUNT(*) FROM suppressions WHERE kind='phone' AND value='+573000000003'")" = 1 ] \
  && ok || fail "suppressed"
expect_rc 0 "dry run after opt-out" -- "$SONDEO" --json sms --clock-start "2026-11-27 10:00" send \
  --campaign art --at "2026-11-27 10:00" --text "Cuarto" --dry-run
contains "$OUT" '"recipients":999' "opted-out number is skipped"
finish
