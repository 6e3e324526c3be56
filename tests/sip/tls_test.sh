#!/usr/bin/env bash
# SIP over TLS to the trunk: `sondeo call --transport tls` to Kamailio (tls module) listening
# on TLS, which relays over UDP to the sipp carrier (dialer_uas.xml). A test-only CA and
# certificates are made here with openssl (never committed). Kamailio listens on three TLS
# ports: the good one (certificate for 127.0.0.1 signed by our CA), one whose certificate is
# signed by ANOTHER CA, and one whose certificate (our CA) names another host. Only the good
# one may carry calls; the others must end as network failures when the no-response timeout
# passes (3 s here), without a crash.
# Then `sondeo serve` with sip_transport: tls places a campaign call through the good port.
# Skips (77) only when Kamailio's tls module is not installed (kamailio-tls-modules).
SONDEO=$1
HERE=$(cd "$(dirname "$0")" && pwd)
KAM_MODULES=/usr/lib/x86_64-linux-gnu/kamailio/modules
if [ ! -f "$KAM_MODULES/tls.so" ]; then
  echo "SKIP: $KAM_MODULES/tls.so not found (apt-get install kamailio-tls-modules)"
  exit 77
fi
. "$HERE/../cli/lib.sh"  # $TMP, ok/fail/expect_rc/contains/finish
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; sleep 0.3
            for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT
read -r CARRIER KAM TLS TLS_OTHER TLS_NAME MEDIA < <(python3 "$HERE/../lib/free_port.py" 6)

# --- test PKI: our CA, another CA, and three server certificates -----------------------------
PKI=$TMP/pki
mkdir -p "$PKI"
ossl() { openssl "$@" >>"$PKI/openssl.log" 2>&1 || { echo "FAIL: openssl $*"; cat "$PKI/openssl.log"; exit 1; }; }
new_ca() { # new_ca NAME CN
  ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$PKI/$1.key" -out "$PKI/$1.crt" -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}
new_cert() { # new_cert NAME CA CN SAN
  ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$PKI/$1.key" -out "$PKI/$1.csr" -subj "/CN=$3"
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$4" >"$PKI/$1.ext"
  ossl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$2.crt" -CAkey "$PKI/$2.key" -CAcreateserial \
    -days 2 -out "$PKI/$1.crt" -extfile "$PKI/$1.ext"
}
new_ca ca "sondeo prueba CA"
new_ca other_ca "otra CA"
new_cert good ca 127.0.0.1 "IP:127.0.0.1"
new_cert other other_ca 127.0.0.1 "IP:127.0.0.1"
new_cert badname ca otro.example "DNS:otro.example"

server_domain() { # server_domain SECTION NAME
  printf '[server:%s]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n' "$1"
  printf 'private_key = %s\ncertificate = %s\n\n' "$PKI/$2.key" "$PKI/$2.crt"
}
{
  server_domain default good
  server_domain "127.0.0.1:$TLS_OTHER" other
  server_domain "127.0.0.1:$TLS_NAME" badname
  printf '[client:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n'
} >"$TMP/tls.cfg"

# --- peers ------------------------------------------------------------------------------------
(cd "$TMP" && exec sipp -sf "$HERE/dialer_uas.xml" -i 127.0.0.1 -p "$CARRIER" -mp "$MEDIA" -nostdin -nd \
   -trace_msg -message_file "$TMP/carrier.msg" >"$TMP/sipp.out" 2>&1) &
PIDS+=($!)

sed -e "s/@PORT@/$KAM/g" -e "s/@CARRIER_PORT@/$CARRIER/g" -e "s/@TLS_PORT@/$TLS/g" \
    -e "s/@TLS_OTHER_PORT@/$TLS_OTHER/g" -e "s/@TLS_NAME_PORT@/$TLS_NAME/g" \
    -e "s|@TLS_CFG@|$TMP/tls.cfg|g" "$HERE/kamailio/kamailio.cfg.in" >"$TMP/kamailio.cfg"
mkdir -p "$TMP/kamrun"
kamailio -A WITH_TLS -f "$TMP/kamailio.cfg" -DD -E -m 64 -M 8 -Y "$TMP/kamrun" >"$TMP/kamailio.log" 2>&1 &
PIDS+=($!)

# Wait until Kamailio accepts TCP on the good TLS port (at most 10 s).
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$TLS") 2>/dev/null && break
  sleep 0.1
done
if ! (exec 3<>"/dev/tcp/127.0.0.1/$TLS") 2>/dev/null; then
  echo "FAIL: Kamailio is not listening on TLS port $TLS"; tail -n 30 "$TMP/kamailio.log"
  echo "0 passed, 1 failed"; exit 1
fi

# sofia-sip's TLS leaks per connection (tests/sip/lsan_sofia_tls.supp says what); the
# suppressions name sofia's functions, so the stacks must be unwound through OpenSSL.
ASAN_BASE=${ASAN_OPTIONS:-}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0:malloc_context_size=100"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$HERE/lsan_sofia_tls.supp:print_suppressions=0"

# call PORT PREFIX NUMBER [args]: one test call over TLS trusting $CA (our CA by default);
# JSON in $OUT, stderr in $TMP/err.
call() {
  local port=$1 prefix=$2 number=$3; shift 3
  OUT=$(timeout 60 "$SONDEO" call --json --transport tls --tls-ca "${CA:-$PKI/ca.crt}" \
        --trunk "127.0.0.1:$port" --uri-format "sip:${prefix}{digits}@{trunk}" --timeout 15 \
        "$@" "$number" 2>"$TMP/err")
}
field() { printf '%s' "$OUT" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
expect_call() { # expect_call DESCRIPTION OUTCOME CODE
  local got_o got_c
  got_o=$(field outcome 2>/dev/null); got_c=$(field sip_code 2>/dev/null)
  if [ "$got_o" = "$2" ] && [ "$got_c" = "$3" ]; then ok
  else fail "$1: got $got_o/$got_c, want $2/$3 ($OUT; $(tail -n 3 "$TMP/err"))"; fi
}

# --- calls through the good TLS port ----------------------------------------------------------
call "$TLS" 2000100 3001230001; expect_call "answered over TLS" answered 200
call "$TLS" 4860000 3001230002; expect_call "busy over TLS" busy 486
[ "$(field disposition)" = OCUPADO ] && ok || fail "busy over TLS: disposition $(field disposition), want OCUPADO"

# The carrier got both INVITEs from Kamailio (its Via and Record-Route), the BYE of the
# answered call through Kamailio's route, and never a TLS transport of its own.
sleep 0.5
for n in 2000100573001230001 4860000573001230002; do
  grep -q "^INVITE sip:$n@127.0.0.1:$TLS;transport=tls SIP/2.0" "$TMP/carrier.msg" && ok \
    || fail "the carrier did not get the INVITE for $n over TLS via Kamailio"
done
grep -q "^Via: SIP/2.0/UDP 127.0.0.1:$KAM" "$TMP/carrier.msg" && ok || fail "no Kamailio Via at the carrier"
grep -q "^Via: SIP/2.0/TLS 127.0.0.1:" "$TMP/carrier.msg" && ok || fail "no TLS Via (sondeo's) at the carrier"
grep -qi "^Record-Route: <sip:127.0.0.1:$TLS;transport=tls" "$TMP/carrier.msg" && ok \
  || fail "Kamailio's Record-Route for the TLS side is missing at the carrier"
grep -q "^BYE sip:" "$TMP/carrier.msg" && ok || fail "the carrier never got the BYE of the answered call"

# --- sondeo serve on the sip driver with sip_transport: tls -----------------------------------
# A progressive campaign whose trunk is Kamailio's TLS port; an agent takes the call over the
# HTTP API and submits a result. The carrier gets the INVITE (with the attempt's key) over
# Kamailio and the BYE.
SRC=$(cd "$HERE/../.." && pwd)
DB="$TMP/s.db"
. "$SRC/tests/sip/serve_lib.sh"
SERVER_PID=
add_users sara:supervisor ana:agent
sip_campaign tlsc "Encuesta TLS" "$TLS" 'caller_id: "6017431000"'
head -2 "$SRC/examples/bases/base_ejemplo.csv" >"$TMP/base.csv"
expect_rc 0 "contacts import" -- "$SONDEO" --db "$DB" contacts import "$TMP/base.csv" --campaign tlsc
printf 'sip_transport: tls\nsip_tls_ca_file: %s\nsip_uri_format: sip:2000100{digits}@{trunk}\n' \
  "$PKI/ca.crt" >"$TMP/serve_tls.conf"
# serve is killed at the end (no leak check), so it keeps ASan's fast unwinder.
ASAN_OPTIONS=$ASAN_BASE "$SONDEO" --db "$DB" serve --listen 127.0.0.1:0 --config "$TMP/serve_tls.conf" \
  --clock-start 2026-12-01T15:00:00Z >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
for _ in $(seq 1 300); do grep -q '^listening' "$TMP/serve.out" && break; sleep 0.1; done
URL=$(sed -n 's/^listening //p' "$TMP/serve.out" | head -1)
if [ -n "$URL" ]; then
  CSRF=$(curl -s -c "$TMP/sara" -H 'Content-Type: application/json' \
    -d '{"user":"sara","password":"clave-sara-1"}' "$URL/api/v1/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
  code=$(curl -s -o "$TMP/body" -w '%{http_code}' -b "$TMP/sara" -H "X-CSRF-Token: $CSRF" \
    -H 'Content-Type: application/json' -d '{}' "$URL/api/v1/campaigns/tlsc/start")
  [ "$code" = 200 ] && ok || fail "start campaign: $code $(cat "$TMP/body")"
  python3 "$HERE/desk_agent.py" "$URL" ana clave-ana-1 tlsc "$TMP/acked" --results 1 --seconds 60 --talk 1 \
    2>"$TMP/ana.err" && ok || fail "ana's call over TLS: $(cat "$TMP/ana.err") $(tail -n 5 "$TMP/serve.err")"
  read -r _ _ ATT <"$TMP/acked"
  IKEY=$(sqlite3 "$DB" "SELECT idempotency_key FROM attempts WHERE id = ${ATT:-0}")
  [ -n "$IKEY" ] && ok || fail "no acknowledged attempt over TLS"
  sleep 1.5  # the BYE and its 200 reach the log
  grep -q "^X-Sondeo-Attempt: $IKEY" "$TMP/carrier.msg" && ok || fail "the carrier did not get serve's INVITE over TLS"
  [ "$(grep -c '^BYE sip:' "$TMP/carrier.msg")" -ge 2 ] && ok || fail "the carrier did not get serve's BYE"
  for n in $(sqlite3 "$DB" "SELECT substr(e164, 4) FROM phones"); do
    grep -q "$n" "$TMP/serve.err" && fail "a phone number in serve's log" || ok
  done
else
  fail "serve did not start with sip_transport: tls: $(cat "$TMP/serve.err")"
fi
kill -9 "$SERVER_PID" 2>/dev/null

# --- the trunk's certificate is not trusted: a network failure, without a crash -------------
# sofia closes the refused connection without failing the INVITE, so the call ends when the
# no-response timeout (Timer B) passes: 3 s here. The reason is logged as a warning.
refused() { # refused DESCRIPTION PORT NUMBER WARNING
  local t0=$SECONDS
  call "$2" 2000100 "$3" --no-response-timeout 3
  expect_call "$1" network_failure 0
  [ $((SECONDS - t0)) -le 15 ] && ok || fail "$1: took $((SECONDS - t0)) s (no-response timeout 3 s)"
  grep -q "$4" "$TMP/err" && ok || fail "$1: no warning '$4' in: $(cat "$TMP/err")"
}
refused "certificate signed by another CA" "$TLS_OTHER" 3001230003 "unable to get local issuer certificate"
refused "certificate for another host name" "$TLS_NAME" 3001230004 "does not name the trunk's host"
CA=$PKI/other_ca.crt refused "good trunk, but we trust only another CA" "$TLS" 3001230005 \
  "unable to get local issuer certificate"
for n in 3001230003 3001230004 3001230005; do
  grep -q "57$n@" "$TMP/carrier.msg" && fail "an INVITE for $n reached the carrier through an untrusted TLS" || ok
done

# --- TLS 1.2 or later: a trunk that speaks only TLS 1.1 is refused, one at TLS 1.2 gets the
# INVITE (openssl s_server prints what it receives). s_server quits on EOF on its stdin, so
# it reads from a FIFO this shell holds open.
read -r V11 V12 < <(python3 "$HERE/../lib/free_port.py" 2)
mkfifo "$TMP/hold"
openssl s_server -accept "127.0.0.1:$V11" -cert "$PKI/good.crt" -key "$PKI/good.key" -tls1_1 \
  -cipher 'DEFAULT:@SECLEVEL=0' <"$TMP/hold" >"$TMP/s_tls11.log" 2>&1 &
PIDS+=($!)
openssl s_server -accept "127.0.0.1:$V12" -cert "$PKI/good.crt" -key "$PKI/good.key" -tls1_2 \
  <"$TMP/hold" >"$TMP/s_tls12.log" 2>&1 &
PIDS+=($!)
exec 3>"$TMP/hold"
for port in "$V11" "$V12"; do
  for _ in $(seq 50); do (exec 4<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
done
call "$V11" 2000100 3001230007 --no-response-timeout 3
expect_call "trunk with TLS 1.1 only" network_failure 0
grep -q "^INVITE " "$TMP/s_tls11.log" && fail "the INVITE went out over TLS 1.1" || ok
call "$V12" 2000100 3001230008 --no-response-timeout 3
expect_call "trunk with TLS 1.2 that never answers" network_failure 0
grep -q "^INVITE sip:2000100573001230008@127.0.0.1:$V12;transport=tls SIP/2.0" "$TMP/s_tls12.log" && ok \
  || fail "the TLS 1.2 trunk did not get the INVITE: $(head -c 600 "$TMP/s_tls12.log")"
exec 3>&-

# --- configuration errors are user errors, with the file named --------------------------------
expect_rc 1 "tls without a CA file" -- "$SONDEO" call --transport tls --trunk "127.0.0.1:$TLS" 3001230006
contains "$ERR" "--tls-ca" "tls without a CA file names the option"
expect_rc 1 "missing CA file" -- "$SONDEO" call --transport tls --tls-ca "$TMP/no-such-ca.pem" \
  --trunk "127.0.0.1:$TLS" 3001230006
contains "$ERR" "$TMP/no-such-ca.pem" "missing CA file is named"
expect_rc 1 "CA file that is not PEM" -- "$SONDEO" call --transport tls --tls-ca "$TMP/tls.cfg" \
  --trunk "127.0.0.1:$TLS" 3001230006
contains "$ERR" "$TMP/tls.cfg" "non-PEM CA file is named"
expect_rc 1 "unknown transport" -- "$SONDEO" call --transport sctp 3001230006
printf 'db: %s\nsip_transport: tls\nsip_tls_ca_file: %s\n' "$TMP/s.db" "$TMP/no-such-ca.pem" >"$TMP/serve.conf"
expect_rc 1 "serve: unreadable sip_tls_ca_file" -- timeout 20 "$SONDEO" serve --config "$TMP/serve.conf"
contains "$ERR" "$TMP/serve.conf:3:1: sip_tls_ca_file" "serve names file:line and key of the CA file"
printf 'db: %s\nsip_transport: tls\nsip_tls_ca_file: %s\n' "$TMP/s.db" "$TMP/tls.cfg" >"$TMP/serve4.conf"
expect_rc 1 "serve: sip_tls_ca_file that is not PEM" -- timeout 20 "$SONDEO" serve --config "$TMP/serve4.conf"
contains "$ERR" "$TMP/serve4.conf:3:1: sip_tls_ca_file" "serve names file:line and key of a non-PEM CA file"
printf 'db: %s\nsip_transport: tls\n' "$TMP/s.db" >"$TMP/serve2.conf"
expect_rc 1 "serve: tls without sip_tls_ca_file" -- timeout 20 "$SONDEO" serve --config "$TMP/serve2.conf"
contains "$ERR" "$TMP/serve2.conf:2:1: sip_transport" "serve names file:line of sip_transport"
printf 'db: %s\nsip_transport: tlss\n' "$TMP/s.db" >"$TMP/serve3.conf"
expect_rc 1 "serve: unknown sip_transport" -- timeout 20 "$SONDEO" serve --config "$TMP/serve3.conf"
contains "$ERR" "$TMP/serve3.conf:2:1: sip_transport: se esperaba udp, tcp o tls" "serve's transport error"

[ "$FAILS" -eq 0 ] || tail -n 30 "$TMP/kamailio.log" "$TMP/err"
finish
