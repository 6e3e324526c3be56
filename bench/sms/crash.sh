#!/usr/bin/env bash
# bench/sms/crash.sh SONDEO: kill -9 during `sms run` of 20,000 messages through Kannel+fakesmsc,
# then resume: prints the states and checks at fakesmsc that no recipient got a message twice.
set -euo pipefail
SONDEO=$1
TMP=$(mktemp -d /tmp/sms-crash.XXXXXX)
fp() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ADMIN=$(fp); BOX=$(fp); SMSC=$(fp); SEND=$(fp)
cat >"$TMP/k.conf" <<CONF

group = core
admin-port = $ADMIN
admin-interface = 127.0.0.1
admin-password = a
status-password = s
admin-allow-ip = "127.0.0.1"
smsbox-port = $BOX
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
box-deny-ip = "*.*.*.*"
dlr-storage = internal
log-level = 4

group = smsc
smsc = fake
smsc-id = fake1
our-host = 127.0.0.1
port = $SMSC
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $BOX
sendsms-port = $SEND
sendsms-interface = 127.0.0.1
log-level = 4

group = sendsms-user
username = bench
password = secret
concatenation = true
max-messages = 3
user-allow-ip = "127.0.0.1"
CONF
bearerbox -v 4 "$TMP/k.conf" >/dev/null 2>&1 & P1=$!
sleep 1
/usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r "$SMSC" -m 0 "x y text nop" >"$TMP/f.log" 2>&1 & P2=$!
sleep 1
for _ in $(seq 1 100); do (echo >"/dev/tcp/127.0.0.1/$BOX") 2>/dev/null && break; sleep 0.1; done
smsbox -v 4 "$TMP/k.conf" >/dev/null 2>&1 & P3=$!
for _ in $(seq 1 100); do (echo >"/dev/tcp/127.0.0.1/$SEND") 2>/dev/null && break; sleep 0.1; done; sleep 1
DB=$TMP/s.db
"$SONDEO" --db "$DB" init >/dev/null
/usr/bin/python3 -c '
print("documento;nombres;celular;municipio")
for i in range(1, 20001): print(f"{10000000+i};Ana;310{i:07d};Cali")' >"$TMP/c.csv"
"$SONDEO" --db "$DB" contacts import "$TMP/c.csv" --campaign c >/dev/null
W="2026-12-01 10:00"
"$SONDEO" --db "$DB" sms --clock-start "$W" send --campaign c --text "Hola {nombres}" --at "$W" --no-wait >/dev/null 2>&1
GW=(--gateway kannel --gateway-url "http://127.0.0.1:$SEND/cgi-bin/sendsms" --gateway-user bench --gateway-password secret --from 890123 --max-outage 5)
"$SONDEO" --db "$DB" sms --clock-start "$W" run "${GW[@]}" >/dev/null 2>&1 & R=$!
sleep 2
kill -9 $R; wait $R 2>/dev/null || true
echo "after kill: $(sqlite3 "$DB" "SELECT state, COUNT(*) FROM sms_messages GROUP BY state" | tr '\n' ' ')"
"$SONDEO" --db "$DB" sms --clock-start "$W" run "${GW[@]}" --json 2>/dev/null | tail -1
sleep 3
echo "final: $(sqlite3 "$DB" "SELECT state, COUNT(*) FROM sms_messages GROUP BY state" | tr '\n' ' ')"
echo "fakesmsc lines: $(grep -c 'Got message' "$TMP/f.log"); distinct recipients: $(grep 'Got message' "$TMP/f.log" | awk '{print $8}' | sort -u | wc -l); max per recipient: $(grep 'Got message' "$TMP/f.log" | awk '{print $8}' | sort | uniq -c | sort -rn | head -1)"
kill $P3 $P2 $P1; sleep 0.5; rm -rf "$TMP"
