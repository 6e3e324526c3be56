#!/usr/bin/env bash
# sondeo demo end to end: every step runs, the summary is consistent with the files it wrote,
# the reports hold plausible numbers, the export is masked, and a second run is repeatable.
. "$(dirname "$0")/lib.sh"
SONDEO=$1
SRC=$2
run_demo() { # run_demo DIR
  "$SONDEO" --json demo --dir "$1" --examples "$SRC/examples" --agents 2 --seed 7
}
expect_rc 0 "demo runs" -- run_demo "$TMP/d1"
echo "$OUT" >"$TMP/summary.json"
check() { # check DESCRIPTION PYTHON-EXPRESSION-ON-s (the summary)
  if python3 - "$TMP/summary.json" "$2" <<'PY'; then ok; else fail "$1"; fi
import json, sys, os
s = json.load(open(sys.argv[1]))
def report(cid):
    return json.load(open(s["files"]["informe_%s_json" % cid]))
ok = eval(sys.argv[2])
if not ok:
    print("false:", sys.argv[2], file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
check "two campaigns" 'len(s["campaigns"]) == 2'
check "funnel adds up (applied)" '(lambda f: f["initial"] == f["rejected"] + f["cleaned"] and f["callable"] == f["cleaned"] - f["duplicates"] - f["suppressed"])(s["funnel"])'
check "every file exists and is not empty" 'all(os.path.getsize(p) > 0 for p in s["files"].values())'
check "each campaign attempted and completed surveys" 'all(m["attempts"] > 0 and m["completes"] > 0 for m in s["simulation"].values())'
check "abandon rate under the 3% cap" 'all(m["abandon_rate"] <= 0.03 for m in s["simulation"].values())'
check "report final dispositions sum to the managed total" 'all(sum(d["count"] for d in report(c)["dispositions"]) == report(c)["managed"] for c in s["campaigns"])'
check "report completes match the simulation" 'all(report(c)["completes"] == s["simulation"][c]["completes"] for c in s["campaigns"])'
check "report has every section" 'all(k in report(s["campaigns"][0]) for k in ["funnel","dispositions","attempts","questions","by_day","by_week","by_agent","aapor","sms","consumption"])'
check "sms plan: segments = recipients x segments per message" 'all(m["segments"] == sum(int(k) * v for k, v in m["recipients_by_segments"].items()) for m in s["sms"]["plan"]["messages"])'
check "sms plan: four messages, GSM-7 alternative is cheaper" 'len(s["sms"]["plan"]["messages"]) == 4 and s["sms"]["plan"]["gsm7_alternative"]["segments"] < sum(m["segments"] for m in s["sms"]["plan"]["messages"])'
# The export masks personal data: no 10-digit mobile number appears in clear.
if grep -Eq '(^|[^0-9])3[0-9]{9}([^0-9]|$)' "$TMP/d1"/exportacion_*.csv; then
  fail "export shows a phone number in clear"
else ok; fi
# The rejects file explains every row that will not be called: rejected or duplicate.
rejected=$(python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["funnel"]; print(f["rejected"] + f["duplicates"])' "$TMP/summary.json")
rows=$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))))' "$TMP/d1/rechazos.csv")
[ "$rows" = "$rejected" ] && ok || fail "rechazos.csv has $rows rows, the funnel says $rejected rejected + duplicates"
# Same seed, same numbers (deterministic citizens and agents).
expect_rc 0 "demo runs again" -- run_demo "$TMP/d2"
a=$(python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print(json.dumps([s["funnel"], {k: [v["attempts"], v["completes"]] for k, v in s["simulation"].items()}], sort_keys=True))' "$OUT")
b=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(json.dumps([s["funnel"], {k: [v["attempts"], v["completes"]] for k, v in s["simulation"].items()}], sort_keys=True))' "$TMP/summary.json")
[ "$a" = "$b" ] && ok || fail "two runs with the same seed differ: $a vs $b"
# A missing example is one clear user error.
expect_rc 1 "missing examples" -- "$SONDEO" demo --dir "$TMP/d3" --examples "$TMP/nothing"
contains "$ERR" "demo example missing" "names what is missing"
finish
