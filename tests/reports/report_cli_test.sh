#!/bin/bash
# sondeo report / sondeo export end to end on the seed's campaign fixture (seed_campaign.sql):
# the JSON numbers, the HTML rendered in headless Chromium (screenshot kept as an artifact),
# the XLSX read back with openpyxl, the CSV files, the export with masking, pseudonymisation,
# formula neutralisation and the audit log.
# Usage: report_cli_test.sh SONDEO ARTIFACT_DIR
SONDEO=$1
ARTIFACTS=${2:-/tmp}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../cli/lib.sh"
PY=/usr/bin/python3
DB="$TMP/s.db"
mkdir -p "$ARTIFACTS"

expect_rc 0 "init" -- "$SONDEO" --db "$DB" init
sqlite3 "$DB" < "$HERE/seed_campaign.sql" || fail "fixture"

# JSON on stdout (no --out): the report object itself.
expect_rc 0 "report json" -- "$SONDEO" --db "$DB" report art-2019 --format json
echo "$OUT" > "$TMP/r.json"
$PY - "$TMP/r.json" <<'PY' && ok || fail "json numbers"
import json, sys
r = json.load(open(sys.argv[1]))
d = r["dispositions"]
assert [x["count"] for x in d] == [279, 43, 202, 210, 2, 89, 420, 226, 142, 5, 16, 3], d
assert sum(x["count"] for x in d) == r["managed"] == 1637
assert round(sum(x["percent"] for x in d), 6) == 100.0
assert r["funnel"]["initial"] == 5606 and r["funnel"]["callable"] == 1637
item = r["questions"][0]["items"][0]
assert [o["count"] for o in item["options"]] == [148, 39, 5, 10]
assert item["sentence"].startswith("El 73% de los ciudadanos encuestados califica la amabilidad")
assert r["aapor"]["counts"]["I"] == 202
assert r["sms"]["billed_units_total"] == 280
PY

# Errors: unknown campaign, bad format, bad date.
expect_rc 1 "unknown campaign" -- "$SONDEO" --db "$DB" report nope --format json
contains "$ERR" "nope" "unknown campaign message"
expect_rc 1 "bad format" -- "$SONDEO" --db "$DB" report art-2019 --format pdf --out "$TMP/x"
expect_rc 1 "bad date" -- "$SONDEO" --db "$DB" report art-2019 --format json --from 2019-02-30
contains "$ERR" "--from" "bad date names the flag"
expect_rc 1 "json error object" -- "$SONDEO" --db "$DB" --json report nope --format html --out "$TMP/x.html"
contains "$OUT" '"error"' "--json error object"

# HTML: self-contained, with charts and sentences; rendered by Chromium.
expect_rc 0 "report html" -- "$SONDEO" --db "$DB" --json report art-2019 --format html --out "$TMP/informe.html"
contains "$OUT" '"files":["' "--json lists the files"
HTML=$(cat "$TMP/informe.html")
contains "$HTML" "<svg" "inline SVG"
contains "$HTML" "seguido de un 19% (Bueno)" "sentence"
contains "$HTML" "@page { size: A4" "A4 print CSS"
case "$HTML" in *"<script"*|*"src=\"http"*|*"href=\"http"*) fail "HTML not self-contained" ;; *) ok ;; esac
cp "$TMP/informe.html" "$ARTIFACTS/informe.html"
if command -v chromium >/dev/null; then
  PROFILE=$(mktemp -d)
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$PROFILE" --window-size=1024,4000 \
    --screenshot="$ARTIFACTS/informe.png" "file://$TMP/informe.html" >/dev/null 2>&1
  rm -rf "$PROFILE"
  if [ -s "$ARTIFACTS/informe.png" ] && [ "$(head -c 4 "$ARTIFACTS/informe.png" | tail -c 3)" = "PNG" ]; then
    ok
  else
    fail "chromium screenshot"
  fi
else
  fail "chromium not installed (scripts/packages.txt lists it)"
fi

# XLSX read back: the same numbers, real number and percent formats.
expect_rc 0 "report xlsx" -- "$SONDEO" --db "$DB" report art-2019 --format xlsx --out "$TMP/informe.xlsx"
cp "$TMP/informe.xlsx" "$ARTIFACTS/informe.xlsx"
$PY - "$TMP/informe.xlsx" "$TMP/r.json" <<'PY' && ok || fail "xlsx read back"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
r = json.load(open(sys.argv[2]))
for name in ["Embudo", "Tipificaciones", "Intentos", "Preguntas", "Por día", "Por semana",
             "Por agente", "AAPOR", "SMS", "Consumo"]:
    assert name in wb.sheetnames, (name, wb.sheetnames)
ws = wb["Tipificaciones"]
rows = list(ws.iter_rows(min_row=3, values_only=False))
for want, row in zip(r["dispositions"], rows):
    assert row[0].value == want["code"], (row[0].value, want)
    assert row[2].value == want["count"] and isinstance(row[2].value, (int, float))
    assert abs(row[3].value - want["percent"] / 100) < 1e-9, (row[3].value, want)
    assert "%" in row[3].number_format, row[3].number_format
total = rows[len(r["dispositions"])]
assert total[1].value == "TOTAL" and total[2].value == 1637
p = wb["Preguntas"]
counts = [row[4] for row in p.iter_rows(min_row=3, max_row=6, values_only=True)]
assert counts == [148, 39, 5, 10], counts
e = wb["Embudo"]
vals = {row[0]: row[1] for row in e.iter_rows(min_row=3, values_only=True)}
assert vals["BASE INICIAL"] == 5606 and vals["REGISTROS A GESTIONAR"] == 1637, vals
PY

# CSV: one file per section, UTF-8 with BOM.
expect_rc 0 "report csv" -- "$SONDEO" --db "$DB" report art-2019 --format csv --out "$TMP/informe.csv" --separator ';'
for s in embudo tipificaciones intentos preguntas por_dia por_semana por_agente aapor sms consumo; do
  [ -f "$TMP/informe_$s.csv" ] && ok || fail "csv section $s"
done
[ "$(head -c 3 "$TMP/informe_tipificaciones.csv" | od -An -tx1 | tr -d ' ')" = "efbbbf" ] && ok || fail "csv BOM"
contains "$(cat "$TMP/informe_tipificaciones.csv")" "ENCUESTA_EFECTIVA;ENCUESTA EFECTIVA;202;12.3" "csv row"

# Export: one row per managed contact + codebook; masking; pseudonymisation; neutralisation.
sqlite3 "$DB" "UPDATE contacts SET nombres = '=HYPERLINK(\"http://x\")' WHERE id = 2;"
expect_rc 0 "export csv" -- "$SONDEO" --db "$DB" --json export art-2019 --format csv --out "$TMP/e.csv" --separator ';'
contains "$OUT" '"rows":1637' "export rows"
[ "$(wc -l < "$TMP/e.csv")" -eq 1638 ] && ok || fail "export line count"
[ -f "$TMP/e_codebook.csv" ] && ok || fail "codebook file"
contains "$(cat "$TMP/e_codebook.csv")" "p1_amabilidad;p1;amabilidad;matrix" "codebook matrix item"
HEAD=$(head -1 "$TMP/e.csv")
contains "$HEAD" "tipificacion_final;tipificacion_etiqueta;intentos;ultimo_intento;agente;p1_amabilidad;p1_conocimiento" "export header"
contains "$(sed -n 3p "$TMP/e.csv")" "\"'=HYPERLINK(\"\"http://x\"\")\"" "formula neutralised"
contains "$(sed -n 2p "$TMP/e.csv")" "3000000001" "clear phone"
LINE=$(grep '^323;' "$TMP/e.csv")
contains "$LINE" "ENCUESTA_EFECTIVA;ENCUESTA EFECTIVA;1;2019-09-" "export disposition"
contains "$LINE" ";4;4;4;4;4;si" "export answers"

expect_rc 0 "export masked" -- "$SONDEO" --db "$DB" export art-2019 --out "$TMP/m.csv" --mask-pii
L2=$(sed -n 2p "$TMP/m.csv")
contains "$L2" "300****001" "masked phone"
contains "$L2" "100****001" "masked document"
case "$(cat "$TMP/m.csv")" in *3000000001*|*1000000001*) fail "clear PII in masked export" ;; *) ok ;; esac

printf 'una-clave-secreta-de-prueba-123\n' > "$TMP/key"
expect_rc 0 "export pseudo" -- "$SONDEO" --db "$DB" export art-2019 --out "$TMP/p1.csv" --pseudonymise "$TMP/key"
expect_rc 0 "export pseudo again" -- "$SONDEO" --db "$DB" export art-2019 --out "$TMP/p2.csv" --pseudonymise "$TMP/key"
WANT=$(printf '%s' 3000000001 | openssl dgst -sha256 -hmac 'una-clave-secreta-de-prueba-123' | awk '{print $NF}')
contains "$(sed -n 2p "$TMP/p1.csv")" "$WANT" "HMAC-SHA256 of the phone"
cmp -s "$TMP/p1.csv" "$TMP/p2.csv" && ok || fail "pseudonyms stable across exports"
expect_rc 1 "mask and pseudo exclusive" -- "$SONDEO" --db "$DB" export art-2019 --out "$TMP/z.csv" --mask-pii --pseudonymise "$TMP/key"
printf 'corta' > "$TMP/short"
expect_rc 1 "short key" -- "$SONDEO" --db "$DB" export art-2019 --out "$TMP/z.csv" --pseudonymise "$TMP/short"

expect_rc 0 "export xlsx" -- "$SONDEO" --db "$DB" export art-2019 --format xlsx --out "$TMP/e.xlsx" --mask-pii
$PY - "$TMP/e.xlsx" <<'PY' && ok || fail "export xlsx read back"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
assert wb.sheetnames == ["Resultados", "Libro de códigos"], wb.sheetnames
rows = list(wb["Resultados"].iter_rows(values_only=True))
assert len(rows) == 1638, len(rows)
h = rows[0]
assert rows[1][h.index("telefono")] == "300****001"
assert rows[323][h.index("p3")] == "si", rows[323]
PY
[ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM audit_log WHERE action = 'export'")" -eq 5 ] && ok || fail "exports audited"
finish
