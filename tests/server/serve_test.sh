#!/usr/bin/env bash
# sondeo users + sondeo serve over loopback with curl: port 0, login page, roles, CSRF,
# lockout, a supervisor import + start, an agent's contact (no document) and result,
# oversized requests, clean stop on SIGTERM.
SONDEO=$1
SRC=$2
. "$SRC/tests/cli/lib.sh"
DB="$TMP/s.db"
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

it=1000  # fast hashing for tests (production default 600000)
echo 'clave-sara-1' | "$SONDEO" --db "$DB" users add sara --role supervisor --pbkdf2-iterations $it >/dev/null && ok || fail "users add sara"
echo 'clave-ana-1' | "$SONDEO" --db "$DB" users add ana --role agent --pbkdf2-iterations $it >/dev/null && ok || fail "users add ana"
expect_rc 1 "duplicate user is a user error" -- sh -c "echo 'otra-clave-1' | '$SONDEO' --db '$DB' users add ana --role agent"
expect_rc 1 "bad role" -- sh -c "echo 'otra-clave-1' | '$SONDEO' --db '$DB' users add x --role jefe"
expect_rc 1 "short password" -- sh -c "echo 'corta' | '$SONDEO' --db '$DB' users add x --role agent"
expect_rc 0 "users list --json" -- "$SONDEO" --db "$DB" --json users list
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [u["name"] for u in d["users"]]==["ana","sara"]' \
  && ok || fail "users list: $OUT"

# The dialer's simulated citizens all answer; the clock starts on a Tuesday 10:00 in Bogotá
# (inside the default calling windows, whatever day the test runs).
printf 'sim_answer_rate: 1\nsim_busy_share: 0\nsim_voicemail_share: 0\nsim_invalid_share: 0\nsim_damaged_share: 0\nsim_ring_seconds: 3\n' > "$TMP/serve.conf"
"$SONDEO" --db "$DB" serve --listen 127.0.0.1:0 --config "$TMP/serve.conf" --clock-start 2026-12-01T15:00:00Z \
  >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
wait_listening "$TMP/serve.out"
case "$URL" in http://127.0.0.1:[0-9]*) ok ;; *) fail "no 'listening' line: $(cat "$TMP/serve.out" "$TMP/serve.err")"; exit 1 ;; esac

page=$(curl -s "$URL/")
contains "$page" '<html lang="es">' "login page in Spanish"

login() { # login USER PASSWORD JAR -> body
  curl -s -c "$3" -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login"
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

body=$(login sara clave-sara-1 "$TMP/sara")
SARA_CSRF=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
[ -n "$SARA_CSRF" ] && ok || fail "supervisor login: $body"
grep -q 'sondeo_sesion' "$TMP/sara" && ok || fail "no session cookie"
grep -q '#HttpOnly_' "$TMP/sara" && ok || fail "cookie not HttpOnly"
body=$(login ana clave-ana-1 "$TMP/ana")
ANA_CSRF=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')

# A campaign with the example base, imported through the API by the supervisor.
sqlite3 "$DB" "INSERT INTO campaigns(id, name, status, created_ms) VALUES ('demo', 'Demo', 'draft', 0)"
r=$(curl -s -b "$TMP/sara" -H "X-CSRF-Token: $SARA_CSRF" -H 'Content-Type: text/csv' \
  --data-binary @"$SRC/examples/bases/base_ejemplo.csv" "$URL/api/v1/campaigns/demo/import?filename=base_ejemplo.csv")
printf '%s' "$r" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["funnel"]["callable"]>0' \
  && ok || fail "import: $r"
[ "$(code -b "$TMP/ana" -H "X-CSRF-Token: $ANA_CSRF" -X POST "$URL/api/v1/campaigns/demo/start")" = 403 ] && ok || fail "agent started a campaign"
[ "$(code -b "$TMP/sara" -X POST "$URL/api/v1/campaigns/demo/start")" = 403 ] && ok || fail "start without CSRF"
[ "$(code -b "$TMP/sara" -H "X-CSRF-Token: $SARA_CSRF" -X POST "$URL/api/v1/campaigns/demo/start")" = 200 ] && ok || fail "supervisor start"
[ "$(code -b "$TMP/ana" "$URL/api/v1/campaigns/demo/export?format=csv")" = 403 ] && ok || fail "agent exported"
[ "$(code -b "$TMP/sara" "$URL/api/v1/campaigns/demo/export?format=csv")" = 200 ] && ok || fail "supervisor export"

# The agent goes ready; the engine (progressive) dials and connects a call for her.
curl -s -b "$TMP/ana" -H "X-CSRF-Token: $ANA_CSRF" -H 'Content-Type: application/json' \
  -d '{"state":"listo","campaign":"demo"}' "$URL/api/v1/agent/state" >/dev/null
CID=
for _ in $(seq 1 150); do
  next=$(curl -s -b "$TMP/ana" -H "X-CSRF-Token: $ANA_CSRF" -X POST "$URL/api/v1/campaigns/demo/next")
  CID=$(printf '%s' "$next" | python3 -c 'import json,sys; print((json.load(sys.stdin).get("contact") or {}).get("id",""))')
  [ -n "$CID" ] && break
  sleep 0.1
done
[ -n "$CID" ] && ok || fail "next contact: $next"
doc=$(sqlite3 "$DB" "SELECT document FROM contacts WHERE id = $CID")
[ -n "$doc" ] && case "$next" in *"$doc"*) fail "document number in the agent's card" ;; *) ok ;; esac
res=$(curl -s -b "$TMP/ana" -H "X-CSRF-Token: $ANA_CSRF" -H 'Content-Type: application/json' \
  -d '{"idempotency_key":"k-1","disposition":"ENCUESTA_EFECTIVA","answers":{},"notes":"bien"}' \
  "$URL/api/v1/contacts/$CID/result")
contains "$res" '"ok":true' "result saved"
n=$(sqlite3 "$DB" "SELECT COUNT(*) FROM agent_results WHERE contact_id = $CID AND state = 'applied'")
[ "$n" = 1 ] && ok || fail "result not durable: $n"

# Brute force: 5 failures lock the account.
for _ in 1 2 3 4; do login ana mala "$TMP/x" >/dev/null; done
[ "$(code -H 'Content-Type: application/json' -d '{"user":"ana","password":"mala"}' "$URL/api/v1/login")" = 429 ] && ok || fail "no lockout"
[ "$(code -H 'Content-Type: application/json' -d '{"user":"ana","password":"clave-ana-1"}' "$URL/api/v1/login")" = 429 ] && ok || fail "locked account logged in"

# Oversized and malformed requests: 4xx, and the server stays up.
head -c 2000000 /dev/zero | tr '\0' 'a' > "$TMP/big"
[ "$(code -H 'Content-Type: application/json' --data-binary @"$TMP/big" "$URL/api/v1/login")" = 413 ] && ok || fail "big body"
[ "$(code -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' 'a')" "$URL/")" = 431 ] && ok || fail "big header"
[ "$(code -H 'Content-Type: application/json' -d '{"user":' "$URL/api/v1/login")" = 400 ] && ok || fail "bad json"
[ "$(code "$URL/")" = 200 ] && ok || fail "server down after bad requests"

n=$(sqlite3 "$DB" "SELECT COUNT(*) FROM audit_log WHERE action IN ('login','login.failed','login.locked')")
[ "$n" -ge 6 ] && ok || fail "logins not audited: $n"

kill -TERM "$SERVER_PID"
for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVER_PID" 2>/dev/null; then fail "serve did not stop on SIGTERM"; else ok; fi
wait "$SERVER_PID"; rc=$?
[ "$rc" = 0 ] && ok || fail "serve exit code $rc"
SERVER_PID=

# HTTPS with a configured certificate: the session cookie is Secure.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 \
  -subj /CN=127.0.0.1 >/dev/null 2>&1 || fail "openssl req"
"$SONDEO" --db "$DB" serve --listen 127.0.0.1:0 --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" \
  >"$TMP/tls.out" 2>"$TMP/tls.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q '^listening' "$TMP/tls.out" && break; sleep 0.1; done
TURL=$(sed -n 's/^listening //p' "$TMP/tls.out" | head -1)
case "$TURL" in https://*) ok ;; *) fail "no https listening line: $(cat "$TMP/tls.err")" ;; esac
[ "$(curl -sk -o /dev/null -w '%{http_code}' "$TURL/")" = 200 ] && ok || fail "https login page"
hdr=$(curl -sk -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"user":"sara","password":"clave-sara-1"}' "$TURL/api/v1/login")
contains "$hdr" "Secure" "Secure cookie over HTTPS"
expect_rc 1 "missing certificate is a user error" -- "$SONDEO" --db "$DB" serve --listen 127.0.0.1:0 \
  --tls-cert "$TMP/nada.pem" --tls-key "$TMP/key.pem"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
finish
