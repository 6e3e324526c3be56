#!/usr/bin/env bash
# SIP driver against real sipp peers on 127.0.0.1 (docs/rig.md in the shared docs):
# every mapped outcome, CANCEL on ring timeout, BYE at hang-up, digest auth, TCP,
# UDP retransmissions under packet loss, a trunk that is down or silent, no call left up.
SONDEO=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../cli/lib.sh"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT

free_port() { python3 "$HERE/../lib/free_port.py"; }  # free on TCP and UDP
# start_uas NAME SCENARIO PORT [sipp args...]: a sipp UAS in the background (no -bg: we own the pid).
start_uas() {
  local name=$1 scen=$2 port=$3; shift 3
  (cd "$TMP" && exec sipp -sf "$scen" -i 127.0.0.1 -p "$port" -mp "$(free_port u)" -nostdin -nd -trace_msg \
      -message_file "$TMP/$name.msg" -trace_err -error_file "$TMP/$name.err" "$@" \
      >"$TMP/$name.out" 2>&1) &
  PIDS+=($!)
  sleep 0.4
}
# call PORT PREFIX [args]: one test call; JSON in $OUT
call() {
  local port=$1 prefix=$2; shift 2
  OUT=$(timeout 90 "$SONDEO" call --json --trunk "127.0.0.1:$port" \
        --uri-format "sip:${prefix}{digits}@{trunk}" --timeout 15 "$@" 3001234567 2>"$TMP/err")
}
field() { printf '%s' "$OUT" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
expect_call() { # expect_call DESCRIPTION OUTCOME CODE
  local got_o got_c
  got_o=$(field outcome 2>/dev/null); got_c=$(field sip_code 2>/dev/null)
  if [ "$got_o" = "$2" ] && [ "$got_c" = "$3" ]; then ok; else fail "$1: got $got_o/$got_c, want $2/$3 ($OUT)"; fi
}

UDP=$(free_port u)
start_uas carrier "$HERE/dialer_uas.xml" "$UDP"

call "$UDP" 2000100; expect_call "answer after 1 s of ringing" answered 200
r=$(field ring_ms); [ "$r" -ge 900 ] && ok || fail "ring_ms $r < 900"
call "$UDP" 2000300; expect_call "slow 180 then answer" answered 200
r=$(field ring_ms); [ "$r" -ge 2900 ] && ok || fail "slow ring_ms $r < 2900"
call "$UDP" 4860000; expect_call "busy" busy 486
call "$UDP" 4800100; expect_call "480 after ringing" no_answer 480
call "$UDP" 4080100; expect_call "408 after ringing" no_answer 408
call "$UDP" 4040000; expect_call "invalid number" invalid_number 404
call "$UDP" 4840000; expect_call "address incomplete" invalid_number 484
call "$UDP" 6030000; expect_call "decline" rejected 603
call "$UDP" 5030000; expect_call "503" network_failure 503
t0=$SECONDS
call "$UDP" 4870100; expect_call "rings until our timeout: CANCEL, 487" no_answer 487
[ $((SECONDS - t0)) -ge 14 ] && ok || fail "CANCEL came before the 15 s ring timeout"
call "$UDP" 0000000 --no-response-timeout 2; expect_call "silent trunk (Timer B)" network_failure 0
call "$UDP" 2000100 --outcome-map "200-299=busy"; expect_call "outcome map only for finals" answered 200

# What the carrier saw: we sent CANCEL once (the timeout case) and a BYE for every call we answered.
sleep 1.2
cancels=$(grep -c '^CANCEL sip:' "$TMP/carrier.msg")
byes=$(grep -c '^BYE sip:' "$TMP/carrier.msg")
[ "$cancels" = 1 ] && ok || fail "carrier saw $cancels CANCEL, want 1"
[ "$byes" = 3 ] && ok || fail "carrier saw $byes BYE, want 3"
# No call left up: every INVITE the carrier got ended with a final response or a BYE.
invites=$(grep -c '^INVITE sip:' "$TMP/carrier.msg")
[ "$invites" -ge 13 ] && ok || fail "carrier saw only $invites INVITEs"

# Digest authentication (401 challenge).
AUTH=$(free_port u)
start_uas auth "$HERE/uas_auth.xml" "$AUTH"
OUT=$(SONDEO_SIP_PASSWORD=s3cr3t timeout 60 "$SONDEO" call --json --trunk "127.0.0.1:$AUTH" --auth-user sondeo --timeout 15 3001234567 2>"$TMP/err")
expect_call "digest auth accepted" answered 200
OUT=$(SONDEO_SIP_PASSWORD=nope timeout 60 "$SONDEO" call --json --trunk "127.0.0.1:$AUTH" --auth-user sondeo --timeout 15 3001234567 2>"$TMP/err")
expect_call "digest auth refused" rejected 403
grep -q 's3cr3t' "$TMP/err" && fail "the SIP password reached stderr" || ok
authz=$(grep -c '^Authorization: Digest' "$TMP/auth.msg")
[ "$authz" -ge 2 ] && ok || fail "carrier saw $authz Authorization headers, want at least 2"

# TCP transport.
TCP=$(free_port t)
start_uas tcp "$HERE/dialer_uas.xml" "$TCP" -t t1
OUT=$(timeout 60 "$SONDEO" call --json --transport tcp --trunk "127.0.0.1:$TCP" \
      --uri-format "sip:2000100{digits}@{trunk};transport=tcp" --timeout 15 3001234567 2>"$TMP/err")
expect_call "answer over TCP" answered 200

# UDP retransmissions: the carrier drops 15% of the packets it would send or receive.
LOSSY=$(free_port u)
start_uas lossy "$HERE/dialer_uas.xml" "$LOSSY" -lost 15
for i in 1 2 3 4; do call "$LOSSY" 4860000; expect_call "busy under 15% packet loss ($i)" busy 486; done

# The trunk is down: a closed port answers with ICMP unreachable.
DOWN=$(free_port u)
call "$DOWN" 2000100; expect_call "trunk down" network_failure 503

# Bad arguments are user errors.
expect_rc 1 "ring timeout under 15 s is refused" -- "$SONDEO" call --timeout 10 3001234567
expect_rc 1 "bad outcome map" -- "$SONDEO" call --outcome-map "486=maybe" 3001234567
finish
