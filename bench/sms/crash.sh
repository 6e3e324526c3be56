#!/usr/bin/env bash
# bench/sms/crash.sh SONDEO: kill -9 during `sms run` of 20,000 messages through Kannel+fakesmsc,
# then resume: prints the states and checks at fakesmsc that no recipient got a message twice.
set -euo pipefail
SONDEO=$1
TMP=$(mktemp -d /tmp/sms-crash.XXXXXX)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RIG_DIR=$TMP
KANNEL_USER=bench KANNEL_PASSWORD=secret
. "$ROOT/tests/sms/kannel_rig.sh"
trap 'kannel_rig_kill; rm -rf "$TMP"' EXIT
kannel_rig_config fake
kannel_rig_start
DB=$TMP/s.db
"$SONDEO" --db "$DB" init >/dev/null
/usr/bin/python3 -c '
print("documento;nombres;celular;municipio")
for i in range(1, 20001): print(f"{10000000+i};Ana;310{i:07d};Cali")' >"$TMP/c.csv"
"$SONDEO" --db "$DB" contacts import "$TMP/c.csv" --campaign c >/dev/null
W="2026-12-01 10:00"
"$SONDEO" --db "$DB" sms --clock-start "$W" send --campaign c --text "Hola {nombres}" --at "$W" --no-wait >/dev/null 2>&1
GW=(--gateway kannel --gateway-url "$KANNEL_URL" --gateway-user bench --gateway-password secret --from 890123 --max-outage 5)
"$SONDEO" --db "$DB" sms --clock-start "$W" run "${GW[@]}" >/dev/null 2>&1 & R=$!
sleep 2
kill -9 $R; wait $R 2>/dev/null || true
echo "after kill: $(sqlite3 "$DB" "SELECT state, COUNT(*) FROM sms_messages GROUP BY state" | tr '\n' ' ')"
"$SONDEO" --db "$DB" sms --clock-start "$W" run "${GW[@]}" --json 2>/dev/null | tail -1
sleep 3
echo "final: $(sqlite3 "$DB" "SELECT state, COUNT(*) FROM sms_messages GROUP BY state" | tr '\n' ' ')"
echo "fakesmsc lines: $(grep -c 'Got message' "$TMP/fakesmsc.log"); distinct recipients: $(grep 'Got message' "$TMP/fakesmsc.log" | awk '{print $8}' | sort -u | wc -l); max per recipient: $(grep 'Got message' "$TMP/fakesmsc.log" | awk '{print $8}' | sort | uniq -c | sort -rn | head -1)"
