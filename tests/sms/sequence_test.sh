#!/usr/bin/env bash
# sms send --sequence NAME: the campaign YAML's sms_sequences (examples/campaigns/
# satisfaccion_art.yaml has "Colosó": four messages 09:00..09:45 for Colosó's contacts) when
# NAME is not a file; --sequence FILE keeps working; an unknown name lists the sequences.
. "$(dirname "$0")/../cli/lib.sh"
SONDEO=$1
SRC=$(cd "$(dirname "$0")/../.." && pwd)
export SONDEO_DB=$TMP/q.db
"$SONDEO" init >/dev/null || { echo "init failed" >&2; exit 1; }
expect_rc 0 "campaign create" -- "$SONDEO" campaign create "$SRC/examples/campaigns/satisfaccion_art.yaml"
printf '%s\n' "documento;nombres;celular;municipio" \
  "1001;Ana;3001110001;Colosó" "1002;Luis;3001110002;COLOSO" "1003;Eva;3001110003;Colosó" \
  "1004;Rosa;3001110004;Orito" "1005;Juan;3001110005;Ovejas" >"$TMP/base.csv"
expect_rc 0 "import" -- "$SONDEO" contacts import "$TMP/base.csv" --campaign satisfaccion_art
SEND=("$SONDEO" --json sms --clock-start "2026-11-30 08:00" send --campaign satisfaccion_art --at "2026-12-01 08:00" --dry-run)
field() { python3 -c 'import json,sys; p=json.load(sys.stdin)["plan"]; print(eval(sys.argv[1]))' "$1"; }

expect_rc 0 "sequence from the YAML" -- "${SEND[@]}" --sequence Colosó
YAML_OUT=$OUT
[ "$(field 'len(p["messages"])' <<<"$YAML_OUT")" = 4 ] && ok || fail "4 messages: $YAML_OUT"
# 09:00, 09:15, 09:30, 09:45 in Bogotá (UTC-5) on --at's date.
[ "$(field '" ".join(m["at"] for m in p["messages"])' <<<"$YAML_OUT")" = \
  "2026-12-01T14:00:00.000Z 2026-12-01T14:15:00.000Z 2026-12-01T14:30:00.000Z 2026-12-01T14:45:00.000Z" ] && ok ||
  fail "times: $(field '[m["at"] for m in p["messages"]]' <<<"$YAML_OUT")"
# No `sms contract` yet: the campaign YAML's contract (30,000 segments at 18.54) applies.
[ "$(field 'p["cap"]["monthly_cap_segments"], p["unit_price"]' <<<"$YAML_OUT")" = "(30000, 18.54)" ] &&
  ok || fail "campaign contract: $(field 'p["cap"], p["unit_price"]' <<<"$YAML_OUT")"
R=$(field 'p["recipients"]' <<<"$YAML_OUT")
[ "$R" = 3 ] && ok || fail "Colosó's 3 contacts, got $R"

# The same messages from a file, filtered by hand: the same plan.
# ("- at: "HH:MM"" then "text: ..." lines of the YAML's first sequence, Colosó)
awk '/^ *- name: /{n++} n == 1 && /^ *- at: /{gsub(/"/, "", $3); at = $3}
     n == 1 && /^ *text: /{sub(/^ *text: /, ""); print at, $0}' \
  "$SRC/examples/campaigns/satisfaccion_art.yaml" >"$TMP/seq.txt"
expect_rc 0 "sequence from a file" -- "${SEND[@]}" --sequence "$TMP/seq.txt" --filter municipio=Colosó
[ "$(field 'p["recipients"], p["segments"]' <<<"$OUT")" = "$(field 'p["recipients"], p["segments"]' <<<"$YAML_OUT")" ] &&
  ok || fail "file and YAML plans differ: $OUT"
ALL=$(field 'p["recipients"]' <<<"$( "${SEND[@]}" --sequence "$TMP/seq.txt")")
[ "$ALL" -gt "$R" ] && ok || fail "the file without --filter goes to everybody ($ALL > $R)"

# An operator-wide contract (`sms contract`) takes precedence over the campaign's.
expect_rc 0 "sms contract" -- "$SONDEO" sms contract --cap 500 --unit-price 20
expect_rc 0 "sequence under the global contract" -- "${SEND[@]}" --sequence Colosó
[ "$(field 'p["cap"]["monthly_cap_segments"], p["unit_price"]' <<<"$OUT")" = "(500, 20.0)" ] &&
  ok || fail "global contract: $(field 'p["cap"], p["unit_price"]' <<<"$OUT")"

expect_rc 1 "unknown sequence" -- "${SEND[@]}" --sequence Ovejas
contains "$ERR" "secuencias: Colosó" "names the campaign's sequences"
finish
