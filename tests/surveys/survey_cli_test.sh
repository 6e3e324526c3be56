#!/usr/bin/env bash
# sondeo survey check|load|show (docs/surveys.md). Usage: survey_cli_test.sh SONDEO SOURCE_DIR
SONDEO=$1
SRC=$2
. "$SRC/tests/cli/lib.sh"
EX="$SRC/examples/surveys"
BAD="$SRC/tests/data/surveys"

# The seed's surveys pass, with a summary.
for f in satisfaccion_art obras_por_impuestos condiciones; do
  expect_rc 0 "$f passes" -- "$SONDEO" survey check "$EX/$f.yaml"
done
expect_rc 0 "summary" -- "$SONDEO" survey check "$EX/satisfaccion_art.yaml"
contains "$OUT" "3 preguntas, 0 condiciones, camino más largo 3 preguntas" "summary text"
expect_rc 0 "--json summary" -- "$SONDEO" survey check --json "$EX/condiciones.yaml"
printf '%s' "$OUT" | python3 -c '
import json,sys; d=json.load(sys.stdin)
assert d == {"ok": True, "questions": 9, "branches": 5, "longest_path": 9}, d' \
  && ok || fail "json summary: $OUT"

# Broken variants: exit 1, the first line is exactly FILE:LINE:COLUMN: message.
check_at() { # FILE LINE COL [extra args]
  local f=$1 want="$BAD/$1:$2:$3: "; shift 3
  expect_rc 1 "$f fails" -- "$SONDEO" survey check "$BAD/$f" "$@"
  case "$(printf '%s\n' "$ERR" | head -n1)" in
    "$want"*) ok ;;
    *) fail "$f: want '$want...', got: $ERR" ;;
  esac
}
check_at unknown_key.yaml 7 5
check_at bad_yaml.yaml 8 7
check_at duplicate_id.yaml 7 9
check_at unknown_scale.yaml 9 12
check_at later_question.yaml 7 12
check_at bad_value.yaml 10 16
check_at unreachable.yaml 7 9
check_at empty_options.yaml 7 14
check_at wrong_type.yaml 7 15
check_at matrix_item.yaml 14 12
check_at empty.yaml 1 1
check_at placeholder.yaml 3 8 --base-columns nombres,municipio
contains "$ERR" "{cargo}" "placeholder named"

# Every problem, one per line.
expect_rc 1 "several problems" -- "$SONDEO" survey check "$BAD/several.yaml"
n=$(printf '%s\n' "$ERR" | grep -c "^$BAD/several.yaml:[0-9]*:[0-9]*: ")
[ "$n" = "4" ] && ok || fail "want 4 diagnostics, got $n: $ERR"
expect_rc 1 "--json errors" -- "$SONDEO" survey check --json "$BAD/several.yaml"
printf '%s' "$OUT" | BAD="$BAD" python3 -c '
import json,os,sys; d=json.load(sys.stdin)
assert d["ok"] is False
pos=[(e["file"],e["line"],e["column"]) for e in d["errors"]]
f=os.environ["BAD"]+"/several.yaml"
assert pos==[(f,7,5),(f,11,10),(f,12,9),(f,15,12)], pos
assert all(e["message"] for e in d["errors"])' && ok || fail "json errors: $OUT"

# Without base columns placeholders are not checked; the base can fill them.
expect_rc 0 "no base: placeholders unchecked" -- "$SONDEO" survey check "$BAD/placeholder.yaml"
expect_rc 0 "base fills them" -- "$SONDEO" survey check "$BAD/placeholder.yaml" \
  --base-columns "nombres, cargo,municipio"

# A campaign's base: fixed columns plus extra_json keys.
DB="$TMP/s.db"
expect_rc 0 "init" -- "$SONDEO" init --db "$DB"
sqlite3 "$DB" "INSERT INTO campaigns (id, name, created_ms) VALUES ('c1', 'Prueba', 0);
  INSERT INTO contacts (campaign_id, source_row, nombres, extra_json)
  VALUES ('c1', 1, 'Ana', '{\"cargo\":\"alcaldesa\"}'), ('c1', 2, 'Luis', '{}');" \
  && ok || fail "seed campaign"
expect_rc 0 "--campaign fills extra columns" -- \
  "$SONDEO" survey check --db "$DB" "$BAD/placeholder.yaml" --campaign c1
sqlite3 "$DB" "INSERT INTO campaigns (id, name, created_ms) VALUES ('c2', 'Otra', 0);
  INSERT INTO contacts (campaign_id, source_row, nombres, extra_json) VALUES ('c2', 1, 'Eva', '{}');" \
  && ok || fail "seed campaign c2"
check_at placeholder.yaml 3 8 --db "$DB" --campaign c2
contains "$ERR" "{cargo}" "campaign without that column"
expect_rc 0 "--campaign municipio" -- \
  "$SONDEO" survey check --db "$DB" "$EX/condiciones.yaml" --campaign c1
expect_rc 1 "unknown campaign" -- "$SONDEO" survey check --db "$DB" "$EX/condiciones.yaml" --campaign zz
contains "$ERR" "zz" "names the campaign"

# Bad input: a clear error, never a crash.
python3 - "$TMP" <<'PY'
import os, sys
d = sys.argv[1]
open(os.path.join(d, "deep.yaml"), "w").write("id: x\ntitle: " + "[" * 10000 + "]" * 10000 + "\n")
open(os.path.join(d, "deep2.yaml"), "w").write("id: x\nquestions:\n" + "- " * 10000 + "x\n")
open(os.path.join(d, "big.yaml"), "w").write("id: x\ntitle: \"" + "a" * (5 << 20) + "\"\n")
open(os.path.join(d, "junk.yaml"), "wb").write(bytes((i * 73 + 11) % 256 for i in range(4096)))
PY
for f in deep deep2 big junk; do
  expect_rc 1 "$f.yaml is a user error" -- "$SONDEO" survey check "$TMP/$f.yaml"
  case "$ERR" in "$TMP/$f.yaml:"*) ok ;; *) fail "$f: $ERR" ;; esac
done
expect_rc 1 "missing file" -- "$SONDEO" survey check "$TMP/nope.yaml"
contains "$ERR" "no se puede leer" "missing file message"

# load stores versions; show prints the model.
expect_rc 0 "load" -- "$SONDEO" survey load --json --db "$DB" "$EX/satisfaccion_art.yaml"
printf '%s' "$OUT" | python3 -c '
import json,sys; d=json.load(sys.stdin)
assert d["id"]=="satisfaccion_art" and d["version"]==1 and d["created"] is True, d' \
  && ok || fail "load json: $OUT"
expect_rc 0 "load again" -- "$SONDEO" survey load --db "$DB" "$EX/satisfaccion_art.yaml"
contains "$OUT" "versión 1 sin cambios" "identical file reuses the version"
expect_rc 1 "load a broken file" -- "$SONDEO" survey load --db "$DB" "$BAD/several.yaml"
expect_rc 0 "show" -- "$SONDEO" survey show --db "$DB" satisfaccion_art
printf '%s' "$OUT" | python3 -c '
import json,sys; d=json.load(sys.stdin)
assert [q["id"] for q in d["questions"]]==["p1","p2","p3"]
assert [i["label"] for i in d["questions"][0]["items"]][0]=="Amabilidad"' \
  && ok || fail "show: $OUT"
expect_rc 1 "show unknown" -- "$SONDEO" survey show --db "$DB" nada
finish
