# tests/sms/kannel_rig.sh (sourced): one Kannel 1.4.5 (bearerbox + smsbox) on 127.0.0.1 with
# free ports, for the SMS tests and benchmarks (tests/sms/*.sh, bench/sms/*.sh). The SMSC is
# Kannel's own fakesmsc (kannel-extras) or tests/sms/smsc_sim.pl (SMPP 3.4, Net::SMPP from
# libnet-smpp-perl; returns delivered, failed, expired and rejected receipts).
#
#   RIG_DIR=/tmp/... ; . tests/sms/kannel_rig.sh
#   kannel_rig_config fake|smpp   # writes $RIG_DIR/kannel.conf, sets the ports below
#   kannel_rig_start              # SMSC + bearerbox + smsbox, waits until the link is online
#   kannel_rig_stop               # graceful (bearerbox hands its queue to the SMSC first)
#   kannel_rig_kill               # kill -9 of everything it started (use in the EXIT trap)
#
# Settings (environment, read by kannel_rig_config):
#   KANNEL_USER / KANNEL_PASSWORD   sendsms user (dialer / secret)
#   KANNEL_STORE=1                  bearerbox keeps its queue in $RIG_DIR/kannel.store
#   KANNEL_MO_URL                   sms-service get-url for inbound messages (%p %P %a ...)
#   KANNEL_HTTP_RETRY               smsbox retries of failed dlr-url/get-url calls (0; 1 s apart)
#   KANNEL_LOG_LEVEL                0 debug .. 4 panic (4)
# After kannel_rig_config: KANNEL_URL (sendsms URL), KANNEL_ADMIN, KANNEL_BOX, KANNEL_SENDSMS,
# KANNEL_SMSC_PORT. Logs: $RIG_DIR/{bearerbox,smsbox}.log; what the SMSC received:
# $RIG_DIR/fakesmsc.log ("Got message N: <from to kind payload>", see fakesmsc_log.py) or
# $RIG_DIR/smsc_sim.log ("SUBMIT id=... to=... outcome=...").

KANNEL_RIG_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KANNEL_FAKESMSC=/usr/lib/kannel/test/fakesmsc
KANNEL_RIG_PIDS=()
KANNEL_BB=""
KANNEL_SB=""
KANNEL_SMSC_PID=""

kannel_rig_free_port() {
  python3 "$(dirname "${BASH_SOURCE[0]}")/../lib/free_port.py"
}
# kannel_rig_wait_port PORT [TENTHS]: until something accepts on 127.0.0.1:PORT (10 s).
kannel_rig_wait_port() {
  local i
  for i in $(seq "${2:-100}"); do
    (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "kannel_rig: nothing listens on 127.0.0.1:$1" >&2
  return 1
}
kannel_rig_alive() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# kannel_rig_check fake|smpp: the peers are installed.
kannel_rig_check() {
  if ! command -v bearerbox >/dev/null || ! command -v smsbox >/dev/null; then
    echo "kannel not installed (scripts/setup installs scripts/packages.txt)" >&2
    return 1
  fi
  if [ "$1" = fake ] && [ ! -x "$KANNEL_FAKESMSC" ]; then
    echo "kannel-extras (fakesmsc) not installed" >&2
    return 1
  fi
  if [ "$1" = smpp ] && ! perl -MNet::SMPP -e 1 2>/dev/null; then
    echo "libnet-smpp-perl (Net::SMPP) not installed" >&2
    return 1
  fi
}

kannel_rig_config() {
  KANNEL_SMSC_KIND=${1:-fake}
  kannel_rig_check "$KANNEL_SMSC_KIND" || return 1
  : "${RIG_DIR:?kannel_rig: set RIG_DIR to a temp dir}"
  KANNEL_USER=${KANNEL_USER:-dialer}
  KANNEL_PASSWORD=${KANNEL_PASSWORD:-secret}
  KANNEL_ADMIN=$(kannel_rig_free_port)
  KANNEL_BOX=$(kannel_rig_free_port)
  KANNEL_SENDSMS=$(kannel_rig_free_port)
  KANNEL_SMSC_PORT=$(kannel_rig_free_port)
  KANNEL_URL="http://127.0.0.1:$KANNEL_SENDSMS/cgi-bin/sendsms"
  local level=${KANNEL_LOG_LEVEL:-4}
  {
    cat <<EOF
group = core
admin-port = $KANNEL_ADMIN
admin-interface = 127.0.0.1
admin-password = adminpw
status-password = statuspw
admin-allow-ip = "127.0.0.1"
smsbox-port = $KANNEL_BOX
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
box-deny-ip = "*.*.*.*"
dlr-storage = internal
log-level = $level
EOF
    if [ -n "${KANNEL_STORE:-}" ]; then
      printf 'store-type = file\nstore-location = "%s"\n' "$RIG_DIR/kannel.store"
    fi
    echo
    if [ "$KANNEL_SMSC_KIND" = smpp ]; then
      # bearerbox connects to the simulator as an SMPP 3.4 transceiver.
      cat <<EOF
group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
port = $KANNEL_SMSC_PORT
transceiver-mode = true
smsc-username = "dialer"
smsc-password = "secret"
system-type = ""
source-addr-ton = 0
source-addr-npi = 1
dest-addr-ton = 1
dest-addr-npi = 1
reconnect-delay = 1
EOF
    else
      # bearerbox listens; fakesmsc connects to it as the "SMSC".
      cat <<EOF
group = smsc
smsc = fake
smsc-id = fake1
our-host = 127.0.0.1
port = $KANNEL_SMSC_PORT
connect-allow-ip = "127.0.0.1"
EOF
    fi
    cat <<EOF

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $KANNEL_BOX
sendsms-port = $KANNEL_SENDSMS
sendsms-interface = 127.0.0.1
log-level = $level
EOF
    if [ -n "${KANNEL_HTTP_RETRY:-}" ]; then
      printf 'http-request-retry = %s\nhttp-queue-delay = 1\n' "$KANNEL_HTTP_RETRY"
    fi
    cat <<EOF

group = sendsms-user
username = $KANNEL_USER
password = $KANNEL_PASSWORD
concatenation = true
max-messages = 3
user-allow-ip = "127.0.0.1"
EOF
    if [ -n "${KANNEL_MO_URL:-}" ]; then
      # Inbound messages go to KANNEL_MO_URL and are never answered.
      printf '\ngroup = sms-service\nkeyword = default\nmax-messages = 0\nget-url = "%s"\n' \
        "$KANNEL_MO_URL"
    fi
  } >"$RIG_DIR/kannel.conf"
}

# kannel_rig_start_smsc: the SMSC alone (restartable without Kannel).
kannel_rig_start_smsc() {
  if [ "$KANNEL_SMSC_KIND" = smpp ]; then
    perl "$KANNEL_RIG_HERE/smsc_sim.pl" "$KANNEL_SMSC_PORT" "$RIG_DIR/smsc_sim.log" \
      2>>"$RIG_DIR/smsc_sim.err" &
    KANNEL_SMSC_PID=$!
    KANNEL_RIG_PIDS+=("$KANNEL_SMSC_PID")
    kannel_rig_wait_port "$KANNEL_SMSC_PORT" || return 1
  else
    # -m 0: fakesmsc sends no MO of its own.
    "$KANNEL_FAKESMSC" -H 127.0.0.1 -r "$KANNEL_SMSC_PORT" -m 0 "x y text nop" \
      >>"$RIG_DIR/fakesmsc.log" 2>&1 &
    KANNEL_SMSC_PID=$!
    KANNEL_RIG_PIDS+=("$KANNEL_SMSC_PID")
  fi
}

kannel_rig_start() {
  if [ "$KANNEL_SMSC_KIND" = smpp ] && ! kannel_rig_alive "${KANNEL_SMSC_PID:-0}"; then
    kannel_rig_start_smsc || return 1
  fi
  bearerbox -v "${KANNEL_LOG_LEVEL:-4}" "$RIG_DIR/kannel.conf" >>"$RIG_DIR/bearerbox.log" 2>&1 &
  KANNEL_BB=$!
  KANNEL_RIG_PIDS+=("$KANNEL_BB")
  if [ "$KANNEL_SMSC_KIND" = fake ]; then
    kannel_rig_wait_port "$KANNEL_SMSC_PORT" || return 1
    kannel_rig_start_smsc || return 1
  fi
  # smsbox PANICs if bearerbox's box port is not listening yet.
  kannel_rig_wait_port "$KANNEL_BOX" || return 1
  smsbox -v "${KANNEL_LOG_LEVEL:-4}" "$RIG_DIR/kannel.conf" >>"$RIG_DIR/smsbox.log" 2>&1 &
  KANNEL_SB=$!
  KANNEL_RIG_PIDS+=("$KANNEL_SB")
  kannel_rig_wait_port "$KANNEL_SENDSMS" || return 1
  local id=fake1 i
  [ "$KANNEL_SMSC_KIND" = smpp ] && id=sim
  for i in $(seq 100); do
    curl -s "http://127.0.0.1:$KANNEL_ADMIN/status.txt?password=statuspw" | grep -q "$id.*online" &&
      return 0
    sleep 0.1
  done
  echo "kannel_rig: SMSC link $id never came online" >&2
  return 1
}

# Graceful: bearerbox delivers what it queued to the SMSC, then everything stops. The SMPP
# simulator keeps running (a restarted bearerbox binds again).
kannel_rig_stop() {
  local i fake=""
  [ "$KANNEL_SMSC_KIND" = fake ] && fake=$KANNEL_SMSC_PID
  curl -s "http://127.0.0.1:$KANNEL_ADMIN/shutdown?password=adminpw" >/dev/null || true
  for i in $(seq 150); do kannel_rig_alive "$KANNEL_BB" || break; sleep 0.1; done
  kill "$KANNEL_SB" $fake 2>/dev/null || true
  for i in $(seq 50); do
    kannel_rig_alive "$KANNEL_SB" || { [ -n "$fake" ] && kannel_rig_alive "$fake"; } || break
    sleep 0.1
  done
  kill -9 "$KANNEL_BB" "$KANNEL_SB" $fake 2>/dev/null || true
  wait "$KANNEL_BB" "$KANNEL_SB" $fake 2>/dev/null || true
}

# Safe under `set -e` (benchmarks): a process already gone is not an error.
kannel_rig_kill() {
  local p
  for p in "${KANNEL_RIG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${KANNEL_RIG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  KANNEL_RIG_PIDS=()
}
