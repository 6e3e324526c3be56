#!/usr/bin/env bash
# bench/contacts/run.sh [ROWS] [SEED]: sondeo contacts import vs the analyst's pandas +
# phonenumbers script (peer.py) on the same generated dirty base, in the same run.
#   - generates ROWS rows (default 1000000) with sondeo_gen_base (+ ground truth);
#   - runs each tool 3 times (fresh database each time), wall time and peak RSS from
#     /usr/bin/time -v, reports the medians and the ratios;
#   - scores both against the truth (score.py: class accuracy, phone accuracy);
#   - also times the phone normaliser alone against libphonenumber on the same cells.
# Binaries come from $SONDEO_BUILD (default build/release, built by `scripts/build release`
# when missing). ENCODING=windows-1252 writes the base in Windows-1252. RUNS=3.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000}
seed=${2:-42}
runs=${RUNS:-3}
encoding=${ENCODING:-utf-8}
build=${SONDEO_BUILD:-$root/build/release}
py=/usr/bin/python3  # Debian's python3 with python3-pandas and python3-phonenumbers
sondeo=$build/cli/sondeo
gen=$build/bench/contacts/sondeo_gen_base
phone_bench=$build/bench/contacts/sondeo_phone_bench
if [ ! -x "$sondeo" ] || [ ! -x "$gen" ] || [ ! -x "$phone_bench" ]; then
  "$root/scripts/build" release
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/sondeo-bench-contacts.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== generating $rows rows (seed $seed, $encoding)"
"$gen" --rows "$rows" --seed "$seed" --encoding "$encoding" \
  --out "$work/base.csv" --truth "$work/truth.csv"
ls -l "$work/base.csv" | awk '{printf "   base.csv: %.1f MB\n", $5 / 1048576}'

# measure NAME CMD...: runs CMD under /usr/bin/time -v, appends "wall_s rss_kb" to $work/NAME.
measure() {
  local name=$1
  shift
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
    echo "$name failed:" >&2
    cat "$work/$name.err" >&2
    exit 2
  }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' \
    "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  echo "$wall $rss" >>"$work/$name.times"
  awk -v n="$name" -v w="$wall" -v r="$rss" 'BEGIN {printf "   %-7s run: %8.2f s  %7.1f MiB\n", n, w, r / 1024}'
}

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

for i in $(seq 1 "$runs"); do
  echo "== run $i/$runs"
  rm -f "$work/sondeo.db" "$work/peer.sqlite" "$work/rejects.csv"
  "$sondeo" --db "$work/sondeo.db" init >/dev/null
  measure sondeo "$sondeo" --db "$work/sondeo.db" --json contacts import "$work/base.csv" \
    --campaign bench --rejects "$work/rejects.csv"
  measure peer "$py" "$root/bench/contacts/peer.py" "$work/base.csv" "$work/peer.sqlite"
done
"$sondeo" --db "$work/sondeo.db" contacts export --campaign bench --out "$work/export.csv" \
  >/dev/null

s_wall=$(cut -d' ' -f1 "$work/sondeo.times" | median)
s_rss=$(cut -d' ' -f2 "$work/sondeo.times" | median)
p_wall=$(cut -d' ' -f1 "$work/peer.times" | median)
p_rss=$(cut -d' ' -f2 "$work/peer.times" | median)
s_score=$("$py" "$root/bench/contacts/score.py" "$work/truth.csv" sondeo "$work/export.csv" \
  "$work/rejects.csv")
p_score=$("$py" "$root/bench/contacts/score.py" "$work/truth.csv" peer "$work/peer.sqlite")

echo "== normaliser alone (CPU time, same cells)"
"$phone_bench" "$work/base.csv" --out "$work/phones.csv" | sed 's/^/   /'
"$phone_bench" "$work/base.csv" --lib | sed 's/^/   /'
"$py" "$root/bench/contacts/score.py" "$work/truth.csv" phones "$work/phones.csv" | sed 's/^/   /'

echo "== results ($rows rows, median of $runs)"
awk -v w="$s_wall" -v r="$s_rss" -v s="$s_score" \
  'BEGIN {printf "   sondeo: %8.2f s  %7.1f MiB peak   %s\n", w, r / 1024, s}'
awk -v w="$p_wall" -v r="$p_rss" -v s="$p_score" \
  'BEGIN {printf "   peer:   %8.2f s  %7.1f MiB peak   %s\n", w, r / 1024, s}'
awk -v sw="$s_wall" -v pw="$p_wall" -v sr="$s_rss" -v pr="$p_rss" \
  'BEGIN {printf "   speed-up: %.1fx   memory: sondeo peak is %.0f%% of the peer peak\n", pw / sw, 100 * sr / pr}'
echo "   sondeo funnel: $(cat "$work/sondeo.out")"
echo "   peer funnel:   $(cat "$work/peer.out")"
