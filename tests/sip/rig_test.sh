#!/usr/bin/env bash
# The SIP driver through a real carrier proxy: Kamailio (Record-Route, registrar) in front of
# the sipp carrier, and a baresip agent phone (auto-answer) registered to Kamailio.
# Runs the Kamailio cases of sip_driver_test with the rig's ports in the environment.
TEST_BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sondeo-rig.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; sleep 0.3
            for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT
# Free on TCP and UDP alike (baresip 1.0 binds TCP on its SIP port whatever sip_transports says).
read -r CARRIER KAM AGENT MEDIA < <(python3 "$HERE/../lib/free_port.py" 4)

(cd "$TMP" && exec sipp -sf "$HERE/dialer_uas.xml" -i 127.0.0.1 -p "$CARRIER" -mp "$MEDIA" -nostdin -nd \
   -trace_msg -message_file "$TMP/carrier.msg" >/dev/null 2>&1) &
PIDS+=($!)

sed -e "s/@PORT@/$KAM/g" -e "s/@CARRIER_PORT@/$CARRIER/g" "$HERE/kamailio/kamailio.cfg.in" > "$TMP/kamailio.cfg"
mkdir -p "$TMP/kamrun"
kamailio -f "$TMP/kamailio.cfg" -DD -E -m 256 -M 8 -Y "$TMP/kamrun" >"$TMP/kamailio.log" 2>&1 &
PIDS+=($!)

mkdir -p "$TMP/agent"
cat > "$TMP/agent/config" <<CFG
poll_method		epoll
sip_listen		127.0.0.1:$AGENT
sip_transports		udp
call_max_calls		4
audio_player		aubridge,agent1
audio_source		aubridge,agent1
audio_alert		aubridge,agent1
rtp_ports		20000-20099
module_path		/usr/lib/baresip/modules
module			g711.so
module			aubridge.so
module_app		account.so
net_interface		127.0.0.1
CFG
echo "<sip:agente1@127.0.0.1:$KAM;transport=udp>;answermode=auto;regint=60" > "$TMP/agent/accounts"
baresip -f "$TMP/agent" -t 120 >"$TMP/baresip.log" 2>&1 &
PIDS+=($!)

# Wait until the agent is registered (Kamailio's usrloc), at most 10 s.
for _ in $(seq 100); do
  kamcmd -s "unix:$TMP/kamrun/kamailio_ctl" ul.dump 2>/dev/null | grep -q agente1 && break
  sleep 0.1
done
if ! kamcmd -s "unix:$TMP/kamrun/kamailio_ctl" ul.dump 2>/dev/null | grep -q agente1; then
  echo "FAIL: the baresip agent never registered"; tail -n 20 "$TMP/baresip.log" "$TMP/kamailio.log"
  echo "0 passed, 1 failed"; exit 1
fi

SONDEO_RIG_KAMAILIO="127.0.0.1:$KAM" SONDEO_RIG_CARRIER_LOG="$TMP/carrier.msg" \
  "$TEST_BIN" --gtest_filter='*Kamailio*'
rc=$?
[ $rc -eq 0 ] || tail -n 30 "$TMP/kamailio.log" "$TMP/baresip.log"
exit $rc
