#!/usr/bin/env bash
# sondeo sms estimate: JSON shape, human output, errors.
. "$(dirname "$0")/../cli/lib.sh"
SONDEO=$1

expect_rc 0 "estimate json" -- "$SONDEO" --json sms estimate --text "Encuesta de satisfacción del servicio"
contains "$OUT" '"encoding":"UCS-2"' "ucs-2"
contains "$OUT" '"units":37' "units"
contains "$OUT" '"segment_sizes":[37]' "sizes"
contains "$OUT" '"non_gsm_chars":["ó"]' "non gsm"
contains "$OUT" '"gsm7_alternative":{"segments":1,"text":"Encuesta de satisfaccion del servicio"}' "alternative"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] && ok || fail "json is one line"

printf 'Con socializaciones ART se potencia la participación de las comunidades en la implementación de los acuerdos y la ejecución de los PDET\n' >"$TMP/m.txt"
expect_rc 0 "estimate file" -- "$SONDEO" --json sms estimate --file "$TMP/m.txt"
contains "$OUT" '"segments":3' "Colosó 4: 3 segments"
contains "$OUT" '"segment_sizes":[67,67,1]' "sizes 67+67+1"

expect_rc 0 "estimate human" -- "$SONDEO" sms estimate --text "Responda {SI} o [NO]"
contains "$OUT" "GSM-7" "human encoding"
contains "$OUT" "Segmentos:         1 (24)" "human segments"

expect_rc 1 "no text" -- "$SONDEO" sms estimate
contains "$ERR" "--text o --file" "names the options"
expect_rc 1 "missing file" -- "$SONDEO" --json sms estimate --file "$TMP/nope.txt"
contains "$ERR" "nope.txt" "names the file"
contains "$OUT" '"error"' "json error"
finish
