# Shared by the tests that run `sondeo serve` on the sip driver against sipp (serve_sip,
# serve_kill9, serve_trunk). Source it after tests/cli/lib.sh, with $SONDEO, $SRC and $DB set.
# It sets the EXIT trap: serve ($SERVER_PID) gets kill -9, the peers ($PIDS) and the desk
# agents ($AGENTS) are stopped, and $TMP is removed (copied first when KEEP is set).
HERE="$SRC/tests/sip"
PIDS=()
AGENTS=()
SERVER_PID=
serve_lib_cleanup() {
  [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null
  for p in "${AGENTS[@]}" "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  [ -n "${KEEP:-}" ] && cp -r "$TMP" "/tmp/sondeo-keep-$(basename "$0" .sh)"
  rm -rf "$TMP"
}
trap serve_lib_cleanup EXIT
q() { sqlite3 "$DB" "$1"; }
free_port() { python3 "$(dirname "${BASH_SOURCE[0]}")/../lib/free_port.py"; }
# start_uas NAME PORT: a sipp UAS (dialer_uas.xml: behaviour by dialed number) on
# 127.0.0.1:PORT, every message it sees in $TMP/NAME.msg; its pid in $UAS and in $PIDS.
start_uas() {
  (cd "$TMP" && exec sipp -sf "$HERE/dialer_uas.xml" -i 127.0.0.1 -p "$2" -mp "$(free_port)" -nostdin -nd \
     -trace_msg -message_file "$TMP/$1.msg" >"$TMP/$1.out" 2>&1) &
  UAS=$!
  PIDS+=("$UAS")
}
# start_rig NAME: the carrier's UAS (its log $TMP/NAME.msg) on $CIT, its pid in $CARRIER_PID,
# and the agents' phones (agents.msg) on $AGT.
start_rig() {
  CIT=$(free_port)
  AGT=$(free_port)
  start_uas "$1" "$CIT"
  CARRIER_PID=$UAS
  start_uas agents "$AGT"
}
# add_users NAME:ROLE ...: accounts whose password is clave-NAME-1.
add_users() {
  local u
  for u in "$@"; do
    echo "clave-${u%%:*}-1" | "$SONDEO" --db "$DB" users add "${u%%:*}" --role "${u#*:}" \
      --pbkdf2-iterations 1000 >/dev/null || fail "users add ${u%%:*}"
  done
}
# sip_campaign ID NAME TRUNK_PORT [TELEPHONY_LINE ...]: a progressive campaign on the sip driver
# whose trunk is the sipp UAS on TRUNK_PORT.
sip_campaign() {
  local id=$1 name=$2 port=$3 line
  shift 3
  {
    printf 'id: %s\nname: %s\nentity: Agencia de prueba\npurpose: Medir la satisfacción\n' "$id" "$name"
    printf 'legal_basis: Ley 1581 de 2012 art. 10\nsurvey: %s\n' "$SRC/examples/surveys/satisfaccion_art.yaml"
    printf 'dialing:\n  mode: progressive\ntelephony:\n  driver: sip\n  trunk: sip:carrier@127.0.0.1:%s\n' "$port"
    for line in "$@"; do printf '  %s\n' "$line"; done
  } >"$TMP/c.yaml"
  expect_rc 0 "campaign create" -- "$SONDEO" --db "$DB" campaign create "$TMP/c.yaml"
}
# start_serve: serve on $TMP/serve.conf, its clock on Tuesday 2026-12-01 10:00 in Bogotá
# (inside the calling windows), stdout in serve.out, stderr appended to serve.err; $URL.
start_serve() {
  "$SONDEO" --db "$DB" serve --listen 127.0.0.1:0 --config "$TMP/serve.conf" \
    --clock-start 2026-12-01T15:00:00Z >"$TMP/serve.out" 2>>"$TMP/serve.err" &
  SERVER_PID=$!
  wait_listening "$TMP/serve.out"
  [ -n "$URL" ] || { fail "serve did not start: $(cat "$TMP/serve.err")"; finish; exit 1; }
}
# import_synthetic CAMPAIGN N: 12 synthetic contacts imported into CAMPAIGN, documents
# N0000000{10..21} and mobiles 300 555 0N{10..21} (nobody's real number).
import_synthetic() {
  local i
  { echo 'documento;nombres;apellidos;telefono;celular;municipio;departamento;correo'
    for i in $(seq 10 21); do echo "${2}0000000$i;Nombre$i;Prueba;;300 555 0$2$i;Bogotá;CUNDINAMARCA;"; done
  } > "$TMP/base.csv"
  expect_rc 0 "contacts import" -- "$SONDEO" --db "$DB" contacts import "$TMP/base.csv" --campaign "$1"
}
# serve_conf PREFIX AGENTS_PORT [LINE ...]: $TMP/serve.conf dialing sip:PREFIX{digits} (the
# prefix picks the UAS's behaviour, see dialer_uas.xml) with the agents' phones at the agents'
# UAS on AGENTS_PORT.
serve_conf() {
  local prefix=$1 port=$2 line
  shift 2
  { printf 'sip_uri_format: sip:%s{digits}@{trunk}
' "$prefix"
    printf 'sip_agent_uri_format: sip:{agent}@127.0.0.1:%s
' "$port"
    for line in "$@"; do printf '%s
' "$line"; done
  } > "$TMP/serve.conf"
}
