#!/usr/bin/env bash
# Server benchmark: wrk on loopback, AGENTS concurrent agent sessions doing next-contact
# against `sondeo serve` pinned to one core, and nginx (Debian) serving a static file of the
# same size, pinned to the same core, as the machine's ceiling. wrk runs on the other core.
# Then the submit line: every agent (one wrk thread and connection each) takes its next
# contact, waits until the simulated citizen answers, and posts the result with the survey's
# answers (durable before the 200); submit.lua prints the submits' own rate and latency.
#   bench/server/run.sh [SONDEO] (env: AGENTS=200 DURATION=10s CONTACTS=5000 PERF=FILE
#                                  SUBMIT=1: 0 skips the submit line)
set -eu
SONDEO=${1:-build/release/cli/sondeo}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
AGENTS=${AGENTS:-200}
DURATION=${DURATION:-10s}
CONTACTS=${CONTACTS:-5000}
TMP=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
DB="$TMP/bench.db"

echo 'clave-agente-1' | "$SONDEO" --db "$DB" users add agente1 --role agent --pbkdf2-iterations 1000 >/dev/null
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < $AGENTS)
  INSERT INTO users(name, role, password_hash, created_ms)
  SELECT 'agente' || i, 'agent', (SELECT password_hash FROM users WHERE name = 'agente1'), 0 FROM n"
cat > "$TMP/demo.yaml" <<YAML
id: demo
name: Benchmark
entity: Agencia
purpose: Medir la satisfacción
legal_basis: Ley 1581 de 2012 art. 10
survey: $SRC/examples/surveys/satisfaccion_art.yaml
time:
  zone: America/Bogota
  windows:
    lunes_a_viernes: "08:00-18:00"
dialing:
  mode: preview
telephony:
  driver: simulated
YAML
"$SONDEO" --db "$DB" campaign create "$TMP/demo.yaml" >/dev/null
python3 - "$CONTACTS" > "$TMP/base.csv" <<'PY'
import random, sys
random.seed(7)
print("documento;nombres;apellidos;celular;municipio;departamento")
for i in range(int(sys.argv[1])):
    print(f"{10000000 + i};Nombre{i};Apellido{i};3{random.choice('0125')}{random.randint(10000000, 99999999)};Medellín;Antioquia")
PY
"$SONDEO" --db "$DB" contacts import "$TMP/base.csv" --campaign demo >/dev/null
"$SONDEO" --db "$DB" campaign start demo >/dev/null

# Simulated citizens that all answer after ~3 s (the shortest ring the simulator allows)
# and never hang up first: every call reaches the agent, who submits a complete survey.
cat > "$TMP/serve.conf" <<CONF
sim_seed: 7
sim_answer_rate: 1
sim_busy_share: 0
sim_voicemail_share: 0
sim_invalid_share: 0
sim_damaged_share: 0
sim_ring_seconds: 3
CONF
taskset -c 0 "$SONDEO" --db "$DB" serve --config "$TMP/serve.conf" --listen 127.0.0.1:0 \
  --clock-start 2026-12-01T15:00:00Z >"$TMP/serve.out" 2>"$TMP/serve.err" &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q '^listening' "$TMP/serve.out" && break; sleep 0.1; done
URL=$(sed -n 's/^listening //p' "$TMP/serve.out")

echo "return {" > "$TMP/sessions.lua"
for i in $(seq 1 "$AGENTS"); do
  body=$(curl -s -c "$TMP/jar$i" -H 'Content-Type: application/json' \
    -d "{\"user\":\"agente$i\",\"password\":\"clave-agente-1\"}" "$URL/api/v1/login")
  csrf=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
  cookie=$(awk '$6 == "sondeo_sesion" {print $6 "=" $7}' "$TMP/jar$i")
  echo "{\"$cookie\", \"$csrf\"}," >> "$TMP/sessions.lua"
done
echo "}" >> "$TMP/sessions.lua"
sample=$(curl -s -b "$TMP/jar1" -H "X-CSRF-Token: $(sed -n 2p "$TMP/sessions.lua" | cut -d'"' -f4)" \
  -X POST "$URL/api/v1/campaigns/demo/next")
SIZE=${#sample}
# The reply must be a whole JSON object with a contact, the survey and the dispositions.
printf '%s' "$sample" | python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["contact"]["id"] and j["survey"] and j["dispositions"] and j["windows"]["days"], j'

# Warm-up: every agent takes its contact (the engine dials it), then the calls connect; the
# measured run then serves held, connected contacts (no telephony commits during it).
SESSIONS="$TMP/sessions.lua" taskset -c 1 wrk -t1 -c"$AGENTS" -d2s \
  -s "$SRC/bench/server/next.lua" "$URL" >/dev/null
sleep 8
echo "== sondeo serve: $AGENTS agent sessions, POST next-contact (response $SIZE bytes)"
if [ -n "${PERF:-}" ]; then  # PERF=FILE: a perf profile of sondeo serve under the load
  perf record -F 999 -g -p "${PIDS[0]}" -o "$PERF" -- sleep 5 >/dev/null 2>&1 &
fi
SESSIONS="$TMP/sessions.lua" taskset -c 1 wrk -t1 -c"$AGENTS" -d"$DURATION" --latency \
  -s "$SRC/bench/server/next.lua" "$URL" | tee "$TMP/sondeo.txt"

if [ "${SUBMIT:-1}" != 0 ]; then
  echo "== sondeo serve: $AGENTS agents, next-contact until connected, then POST result with answers"
  SESSIONS="$TMP/sessions.lua" taskset -c 1 wrk -t"$AGENTS" -c"$AGENTS" -d"$DURATION" --latency \
    -s "$SRC/bench/server/submit.lua" "$URL" | tee "$TMP/submit.txt"
  echo "   answers stored: $(sqlite3 "$DB" "SELECT COUNT(*) FROM agent_results WHERE state = 'applied'")"
fi

mkdir -p "$TMP/www" "$TMP/nginx"
chmod 755 "$TMP" "$TMP/www"
head -c "$SIZE" /dev/zero | tr '\0' 'x' > "$TMP/www/next.json"
chmod 644 "$TMP/www/next.json"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$TMP/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx; proxy_temp_path $TMP/nginx; fastcgi_temp_path $TMP/nginx;
  uwsgi_temp_path $TMP/nginx; scgi_temp_path $TMP/nginx;
  server { listen 127.0.0.1:$PORT; root $TMP/www; }
}
CONF
taskset -c 0 /usr/sbin/nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" &
PIDS+=($!)
sleep 0.5
echo "== nginx (Debian) static file of $SIZE bytes, same core, same wrk"
taskset -c 1 wrk -t1 -c"$AGENTS" -d"$DURATION" --latency "http://127.0.0.1:$PORT/next.json" | tee "$TMP/nginx.txt"

rate() { awk '/Requests\/sec/ {print $2}' "$1"; }
echo "== sondeo/nginx request rate: $(python3 -c "print(f'{$(rate "$TMP/sondeo.txt") / $(rate "$TMP/nginx.txt") * 100:.1f} %')")"
