#!/bin/bash
# Reports benchmark (issue 9): on one generated database (default 1,000,000 contacts and
# attempts, 200,000 responses), times `sondeo report --format json` next to the same aggregate
# queries run by the sqlite3 CLI (floor.sql: the floor), best of REPS runs each, in the same
# run; then `sondeo export` of every contact (CSV and XLSX) with its peak RSS.
# Usage: bench/reports/run.sh SONDEO [CONTACTS] [RESPONSES] [REPS]
set -euo pipefail
SONDEO=$(readlink -f "$1")
CONTACTS=${2:-1000000}
RESPONSES=${3:-200000}
REPS=${4:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sondeo-bench-reports.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
DB="$WORK/bench.db"

now() { date +%s.%N; }
"$SONDEO" --db "$DB" init >/dev/null
t0=$(now)
sed -e "s/__CONTACTS__/$CONTACTS/g" -e "s/__RESPONSES__/$RESPONSES/g" "$HERE/gen.sql" | sqlite3 "$DB" >/dev/null
t1=$(now)
echo "generated $CONTACTS contacts/attempts, $RESPONSES responses in $(echo "$t1 - $t0" | bc) s"

best_report=999999; best_floor=999999
for i in $(seq "$REPS"); do
  t0=$(now); sqlite3 "$DB" < "$HERE/floor.sql"; t1=$(now)
  f=$(echo "$t1 - $t0" | bc)
  t0=$(now); "$SONDEO" --db "$DB" report bench --format json --out "$WORK/r.json" >/dev/null; t1=$(now)
  r=$(echo "$t1 - $t0" | bc)
  best_floor=$(echo "if ($f < $best_floor) $f else $best_floor" | bc)
  best_report=$(echo "if ($r < $best_report) $r else $best_report" | bc)
  echo "run $i: sqlite3 floor $f s, sondeo report json $r s"
done
echo "report json: best $best_report s vs sqlite3 floor $best_floor s: ratio $(echo "scale=2; $best_report / $best_floor" | bc) (goal <= 1.5)"

for fmt in csv xlsx; do
  t0=$(now)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$SONDEO" --db "$DB" export bench --format $fmt --out "$WORK/e.$fmt" --mask-pii >/dev/null
  t1=$(now)
  rss_kb=$(cat "$WORK/rss")
  echo "export $fmt: $CONTACTS rows in $(echo "$t1 - $t0" | bc) s, peak RSS $((rss_kb / 1024)) MB (goal < 200 MB), file $(du -h "$WORK/e.$fmt" | cut -f1)"
done
