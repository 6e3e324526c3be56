#!/usr/bin/env bash
# bench/sms/run.sh: SMS throughput and planning, sondeo next to its peers in the same run.
#
#   1. Delivery rate through Kannel (bearerbox + smsbox, Kannel's fakesmsc as the SMSC, no
#      delivery reports), all on 127.0.0.1 with ports of its own:
#        peer:   parallel curl (`curl -Z --parallel-max C`, one process, keep-alive) sending
#                MESSAGES personalised UCS-2 messages to /cgi-bin/sendsms: Kannel's ceiling;
#        sondeo: `sondeo sms run` of a blast of the same MESSAGES messages (scheduled before
#                with `sms send --no-wait`), through the same Kannel, same concurrency.
#      Interleaved RUNS times; rate = messages / wall time of the sending command; every
#      message is checked to have reached fakesmsc. Goal: sondeo >= 90% of the peer.
#   2. Estimate + render of PLAN_ROWS personalised messages (`sms send --dry-run`: each
#      recipient's text rendered, encoded and segmented) next to a plain loop that only reads
#      the same rows (the sqlite3 shell running the same SELECT to /dev/null). Wall time and
#      peak RSS from /usr/bin/time -v.
#
#   bench/sms/run.sh [SONDEO]   env: MESSAGES=20000 CONCURRENCY=16 BATCH=64 RUNS=3 PLAN_ROWS=1000000
#                                    SKIP_PLAN=1 (only part 1) SKIP_SEND=1 (only part 2)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SONDEO=${1:-$ROOT/build/release/cli/sondeo}
MESSAGES=${MESSAGES:-20000}
CONCURRENCY=${CONCURRENCY:-16}
BATCH=${BATCH:-64}  # messages claimed (committed) per transaction before they go out
RUNS=${RUNS:-3}
PLAN_ROWS=${PLAN_ROWS:-1000000}
# A Tuesday inside the legal SMS hours: the blast goes out at once whatever the real clock.
WHEN="2026-12-01 10:00"
TEXT='Hola {nombres}, la ART de {municipio} quiere conocer su opinión: responda la encuesta de satisfacción.'
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sondeo-bench-sms.XXXXXX")
PIDS=()
cleanup() {
  disown -a 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  declare -F kannel_rig_kill >/dev/null && kannel_rig_kill
  if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/../../tests/lib/free_port.py"
}
wait_port() {
  for _ in $(seq 1 100); do
    (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "port $1 never opened" >&2
  return 1
}
# measure NAME CMD...: wall seconds and peak RSS (KiB) of CMD, appended to $TMP/NAME.times.
measure() {
  local name=$1
  shift
  /usr/bin/time -v -o "$TMP/time.txt" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || {
    echo "$name failed:" >&2
    tail -20 "$TMP/$name.err" >&2
    exit 2
  }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' \
    "$TMP/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time.txt")
  echo "$wall $rss" >>"$TMP/$name.times"
  LAST_WALL=$wall
  LAST_RSS=$rss
}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# contacts.csv ROWS FILE: a clean base, one mobile per row, names and municipalities varied.
gen_base() {
  /usr/bin/python3 - "$1" >"$2" <<'PY'
import random, sys
random.seed(11)
munis = ["Colosó", "Medellín", "Bogotá", "Cali", "Barranquilla", "Montería", "Popayán", "Pasto"]
prefixes = ["300", "301", "304", "310", "311", "312", "313", "314", "315", "316", "317", "318",
            "319", "320", "321", "350"]
names = ["María José", "Juan", "Ana Lucía", "Óscar", "Luz Ángela", "Pedro", "Sofía", "Andrés Felipe"]
print("documento;nombres;apellidos;celular;municipio;departamento")
for i in range(1, int(sys.argv[1]) + 1):  # unique valid mobiles (subscriber digits = i)
    print(f"{10000000 + i};{random.choice(names)};Pérez;{prefixes[i % 16]}{i:07d};{random.choice(munis)};Antioquia")
PY
}

if [ -z "${SKIP_SEND:-}" ]; then
  echo "== Kannel: bearerbox + smsbox + fakesmsc on 127.0.0.1"
  RIG_DIR=$TMP
  KANNEL_USER=bench KANNEL_PASSWORD=secret
  # shellcheck source=../../tests/sms/kannel_rig.sh
  . "$ROOT/tests/sms/kannel_rig.sh"
  kannel_rig_config fake
  kannel_rig_start
  URL=$KANNEL_URL

  echo "== $MESSAGES contacts, one blast of $MESSAGES personalised messages (UCS-2)"
  DB="$TMP/sms.db"
  "$SONDEO" --db "$DB" init >/dev/null
  gen_base "$MESSAGES" "$TMP/contacts.csv"
  "$SONDEO" --db "$DB" contacts import "$TMP/contacts.csv" --campaign bench >/dev/null
  # The peer's requests: the very texts sondeo rendered, each to its own number, url-encoded
  # like any client would.
  "$SONDEO" --db "$DB" sms --clock-start "$WHEN" send --campaign bench --text "$TEXT" \
    --at "$WHEN" --no-wait --json >"$TMP/plan.json"
  sqlite3 -separator $'\t' "$DB" "SELECT phone_e164, text FROM sms_messages ORDER BY id" |
    /usr/bin/python3 -c '
import sys, urllib.parse
url = sys.argv[1]
for line in sys.stdin:
    to, text = line.rstrip("\n").split("\t", 1)
    q = urllib.parse.urlencode({"username": "bench", "password": "secret", "from": "890123",
                                "to": to.lstrip("+"),
                                "text": text, "charset": "UTF-8", "coding": "2"})
    print(f"url = \"{url}?{q}\"\noutput = /dev/null")
' "$URL" >"$TMP/curl.cfg"
  sqlite3 "$DB" ".backup '$TMP/sms-template.db'"
  delivered() { grep -c '^Got message\|Got message' "$TMP/fakesmsc.log" || true; }
  wait_delivered() {  # until fakesmsc has $1 messages (or 60 s)
    for _ in $(seq 1 600); do
      [ "$(delivered)" -ge "$1" ] && return 0
      sleep 0.1
    done
    echo "only $(delivered) of $1 messages reached fakesmsc" >&2
    return 1
  }
  # Kannel splits a long message into parts: fakesmsc receives one line per segment.
  SEGMENTS=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["plan"]["segments"])' "$TMP/plan.json")
  expect=0
  run_peer() {
    measure peer curl -s -Z --parallel-max "$CONCURRENCY" -K "$TMP/curl.cfg"
    expect=$((expect + SEGMENTS))
    wait_delivered "$expect"
    awk -v w="$LAST_WALL" -v n="$MESSAGES" -v r="$LAST_RSS" \
      'BEGIN {printf "   peer   (parallel curl): %6.2f s  %7.0f msg/s  %6.1f MiB\n", w, n / w, r / 1024}'
  }
  run_sondeo() {
    cp "$TMP/sms-template.db" "$DB"
    rm -f "$DB-wal" "$DB-shm"
    # shellcheck disable=SC2086 # SONDEO_WRAP: e.g. "strace -f -c -o FILE" around sms run
    measure sondeo ${SONDEO_WRAP:-} "$SONDEO" --db "$DB" sms --clock-start "$WHEN" run --gateway kannel \
      --gateway-url "$URL" --gateway-user bench --gateway-password secret --from 890123 \
      --concurrency "$CONCURRENCY" --batch "$BATCH" --json
    expect=$((expect + SEGMENTS))
    wait_delivered "$expect"
    sent=$(sqlite3 "$DB" "SELECT COUNT(*) FROM sms_messages WHERE state = 'sent'")
    [ "$sent" = "$MESSAGES" ] || { echo "sondeo sent $sent of $MESSAGES" >&2; exit 2; }
    awk -v w="$LAST_WALL" -v n="$MESSAGES" -v r="$LAST_RSS" \
      'BEGIN {printf "   sondeo (sms run):       %6.2f s  %7.0f msg/s  %6.1f MiB\n", w, n / w, r / 1024}'
  }
  for i in $(seq 1 "$RUNS"); do  # interleaved, the first one alternating
    echo "-- run $i/$RUNS"
    if [ $((i % 2)) = 1 ]; then
      run_peer
      run_sondeo
    else
      run_sondeo
      run_peer
    fi
  done
  ucs2=$(grep -c 'ucs-2\|data %00' "$TMP/fakesmsc.log" || true)  # UCS-2 whole or in parts
  p_wall=$(cut -d' ' -f1 "$TMP/peer.times" | median)
  s_wall=$(cut -d' ' -f1 "$TMP/sondeo.times" | median)
  s_rss=$(cut -d' ' -f2 "$TMP/sondeo.times" | median)
  echo "== delivery through Kannel ($MESSAGES messages, concurrency $CONCURRENCY, median of $RUNS)"
  awk -v p="$p_wall" -v s="$s_wall" -v n="$MESSAGES" -v r="$s_rss" -v d="$(delivered)" -v u="$ucs2" -v g="$SEGMENTS" \
    'BEGIN {printf "   peer: %.0f msg/s   sondeo: %.0f msg/s   sondeo/peer: %.1f%%   sondeo peak %.1f MiB\n   fakesmsc received %d SMSC messages (%d UCS-2; %d segments per run)\n",
            n / p, n / s, 100 * p / s, r / 1024, d, u, g}'
fi

if [ -z "${SKIP_PLAN:-}" ]; then
  echo "== estimate + render of $PLAN_ROWS personalised messages"
  DB="$TMP/plan.db"
  "$SONDEO" --db "$DB" init >/dev/null
  gen_base "$PLAN_ROWS" "$TMP/plan.csv"
  "$SONDEO" --db "$DB" contacts import "$TMP/plan.csv" --campaign plan >/dev/null
  rm -f "$TMP/plan.csv"
  SQL="SELECT c.id, c.source_row, c.document, c.nombres, c.apellidos, c.municipio,
       c.departamento, c.email, c.extra_json, p.e164
       FROM contacts c LEFT JOIN phones p ON p.contact_id = c.id AND p.type = 'mobile'
       WHERE c.campaign_id = 'plan' ORDER BY c.id, p.position"
  for i in $(seq 1 "$RUNS"); do
    measure readloop sqlite3 "$DB" "$SQL"
    awk -v w="$LAST_WALL" -v r="$LAST_RSS" \
      'BEGIN {printf "   plain read loop (sqlite3 shell): %6.2f s  %6.1f MiB\n", w, r / 1024}'
    measure plan "$SONDEO" --db "$DB" --json sms --clock-start "$WHEN" send --campaign plan \
      --text "$TEXT" --at "$WHEN" --dry-run
    awk -v w="$LAST_WALL" -v r="$LAST_RSS" \
      'BEGIN {printf "   sondeo sms send --dry-run:       %6.2f s  %6.1f MiB\n", w, r / 1024}'
  done
  r_wall=$(cut -d' ' -f1 "$TMP/readloop.times" | median)
  r_rss=$(cut -d' ' -f2 "$TMP/readloop.times" | median)
  s_wall=$(cut -d' ' -f1 "$TMP/plan.times" | median)
  s_rss=$(cut -d' ' -f2 "$TMP/plan.times" | median)
  /usr/bin/python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["plan"]; print("   plan:", p["recipients"], "recipients,", p["segments"], "segments, GSM-7 alternative", p["gsm7_alternative"]["segments"])' "$TMP/plan.out"
  awk -v rw="$r_wall" -v rr="$r_rss" -v sw="$s_wall" -v sr="$s_rss" -v n="$PLAN_ROWS" \
    'BEGIN {printf "   median of runs: read loop %.2f s %.1f MiB; sondeo %.2f s %.1f MiB (%.2fx the read loop, %.0f ns per message)\n",
            rw, rr / 1024, sw, sr / 1024, sw / rw, 1e9 * sw / n}'
fi
