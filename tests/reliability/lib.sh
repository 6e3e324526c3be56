# Shared set-up for the reliability scripts: the CLI test helpers, a fresh database in $TMP
# ($DB, exported as SONDEO_DB), a db() shortcut to the sqlite3 CLI, and a `demo` campaign on the
# example survey. Usage: SONDEO=$1 SRC=$2; . "$SRC/tests/reliability/lib.sh"
. "$SRC/tests/cli/lib.sh"
DB=$TMP/s.db
export SONDEO_DB=$DB
db() { sqlite3 -cmd ".timeout 5000" "$DB" "$@"; }

"$SONDEO" init >/dev/null || { echo "init failed" >&2; exit 1; }
cat >"$TMP/c.yaml" <<YAML
id: demo
name: Demo
entity: Agencia de prueba
purpose: Medir la satisfacción
legal_basis: Ley 1581 de 2012 art. 10
survey: $SRC/examples/surveys/satisfaccion_art.yaml
YAML
expect_rc 0 "campaign create" -- "$SONDEO" campaign create "$TMP/c.yaml"
