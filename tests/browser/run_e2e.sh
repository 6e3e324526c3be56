#!/usr/bin/env bash
# Browser end to end: sondeo serve + headless Chromium driven by playwright-core.
# usage: run_e2e.sh SONDEO SOURCE_DIR ARTIFACT_DIR
SONDEO=$1
SRC=$2
OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
TMP=$(mktemp -d)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  if ! (cd "$HERE" && npm install --no-save --no-package-lock playwright-core@1 >"$TMP/npm.log" 2>&1); then
    echo "SKIP: npm cannot install playwright-core:"; tail -5 "$TMP/npm.log"
    exit 0
  fi
fi
[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium missing (apt-get install chromium)"; exit 1; }

DB="$TMP/e2e.db"
echo 'clave-sara-1' | "$SONDEO" --db "$DB" users add sara --role supervisor --pbkdf2-iterations 1000 >/dev/null || exit 1
echo 'clave-ana-1' | "$SONDEO" --db "$DB" users add ana --role agent --pbkdf2-iterations 1000 >/dev/null || exit 1
cat > "$TMP/demo.yaml" <<YAML
id: demo
name: Demo satisfacción
entity: Agencia de prueba
purpose: Medir la satisfacción
legal_basis: Ley 1581 de 2012 art. 10
survey: $SRC/examples/surveys/satisfaccion_art.yaml
YAML
"$SONDEO" --db "$DB" campaign create "$TMP/demo.yaml" >/dev/null || { echo "FAIL: campaign create"; exit 1; }
# Every document of the base, to check none reaches the agent's screen.
cut -d';' -f1 "$SRC/examples/bases/base_ejemplo.csv" | tail -n +2 > "$OUT/documents.txt"

# serve runs the dialer (progressive, simulated citizens who all answer within seconds); the
# clock starts on a Tuesday 10:00 in Bogotá, inside the calling windows whatever the day.
printf 'sim_seed: 3\nsim_answer_rate: 1\nsim_busy_share: 0\nsim_voicemail_share: 0\nsim_invalid_share: 0\nsim_damaged_share: 0\nsim_ring_seconds: 3\n' > "$TMP/serve.conf"
"$SONDEO" --db "$DB" serve --listen 127.0.0.1:0 --config "$TMP/serve.conf" \
  --clock-start 2026-12-01T15:00:00Z >"$TMP/serve.out" 2>"$OUT/serve.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q '^listening' "$TMP/serve.out" && break; sleep 0.1; done
URL=$(sed -n 's/^listening //p' "$TMP/serve.out" | head -1)
[ -n "$URL" ] || { echo "FAIL: server did not start"; cat "$OUT/serve.log"; exit 1; }
(cd "$HERE" && timeout 120 node e2e.mjs "$URL" "$OUT" "$SRC/examples/bases/base_ejemplo.csv")
