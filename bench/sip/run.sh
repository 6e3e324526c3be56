#!/usr/bin/env bash
# bench/sip/run.sh [SECONDS] [RATES...]: sondeo's SIP call rate vs sipp's own UAC->UAS ceiling,
# in the same run, against the same sipp UAS (tests/sip/dialer_uas.xml) on 127.0.0.1.
# Each call: INVITE, 100, 200, ACK, then BYE/200 (sipp's UAC hangs up at once; sondeo's
# calls are hung up by the UAS after 1 s, so at R calls/s about R calls are up at once).
# sondeo runs pinned to one core (taskset -c 1). Needs: scripts/build release.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-10}; shift || true
rates=("$@"); [ ${#rates[@]} -gt 0 ] || rates=(250 500 1000 1500 2000)
load="$root/build/release/bench/sip/sip_load"
[ -x "$load" ] || { echo "build first: scripts/build release" >&2; exit 1; }
tmp=$(mktemp -d); trap 'pkill -f "sipp.*-p $port" 2>/dev/null; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$tmp" && exec sipp -sf "$root/tests/sip/dialer_uas.xml" -i 127.0.0.1 -p "$port" -nostdin -nd -l 20000 >/dev/null 2>&1) &
uas=$!
sleep 0.5
printf '%-6s | %-28s | %s\n' rate "sipp UAC (achieved, failed)" "sondeo (achieved, failed, peak concurrent, cpu ms/call, RSS MB)"
for r in "${rates[@]}"; do
  n=$((r * secs))
  (cd "$tmp" && timeout $((secs + 60)) sipp -sn uac "127.0.0.1:$port" -i 127.0.0.1 -p 0 -s 2000000 -r "$r" -m "$n" -l 20000 \
     -nostdin -trace_stat -stf "$tmp/uac.csv" -fd 1 >/dev/null 2>&1) || true
  sipp_ok=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++){if($i=="SuccessfulCall(C)")s=i;if($i=="FailedCall(C)")f=i;if($i=="ElapsedTime(C)")e=i}} END{print $s" "$f" "$e}' "$tmp/uac.csv")
  read -r s_succ s_fail s_el <<<"$sipp_ok"
  s_secs=$(python3 -c "h,m,s='$s_el'.split(':'); print(max(1e-9,int(h)*3600+int(m)*60+float(s)))")
  s_rate=$(python3 -c "print(round($s_succ/$s_secs,1))")
  rm -f "$tmp/uac.csv"
  out=$(taskset -c 1 "$load" --trunk "127.0.0.1:$port" --rate "$r" --seconds "$secs" --prefix 2000001 || true)
  read -r a f p c m < <(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["achieved_rate"], d["failed"]+d["unfinished"], d["peak_concurrent"], d["cpu_ms_per_call"], d["peak_rss_mb"])')
  printf '%-6s | %-28s | %s\n' "$r" "$s_rate/s, $s_fail failed" "$a/s, $f failed, $p up, $c ms, $m MB"
done
kill $uas 2>/dev/null || true
