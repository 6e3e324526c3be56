#!/usr/bin/env bash
# sondeo init: creates the database, is idempotent, resolves --db / $SONDEO_DB / ./sondeo.db,
# and fails cleanly (exit 1, one message) on a path it cannot create.
SONDEO=$1
. "$(dirname "$0")/lib.sh"

expect_rc 0 "init creates the db" -- "$SONDEO" init --db "$TMP/a.db"
[ -f "$TMP/a.db" ] && ok || fail "a.db not created"
contains "$OUT" "$TMP/a.db" "init names the db"

expect_rc 0 "init twice is idempotent" -- "$SONDEO" init --db "$TMP/a.db"
n=$(sqlite3 "$TMP/a.db" "SELECT COUNT(*) FROM schema_migrations WHERE module='store'")
[ "$n" = "1" ] && ok || fail "migrations applied twice: $n"

expect_rc 1 "init on a missing folder is a user error" -- "$SONDEO" init --db /nonexistent/dir/x.db
contains "$ERR" "/nonexistent/dir/x.db" "error names the path"
lines=$(printf '%s\n' "$ERR" | grep -c .)
[ "$lines" = "1" ] && ok || fail "want one error line, got $lines: $ERR"

expect_rc 1 "--json error is one JSON object" -- "$SONDEO" init --json --db /nonexistent/dir/x.db
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["error"]["code"]=="INVALID_ARGUMENT"' \
  && ok || fail "json error: $OUT"

expect_rc 0 "init --json" -- "$SONDEO" init --json --db "$TMP/j.db"
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["ok"] is True' \
  && ok || fail "json: $OUT"

SONDEO_DB="$TMP/env.db" expect_rc 0 "init honours SONDEO_DB" -- env SONDEO_DB="$TMP/env.db" "$SONDEO" init
[ -f "$TMP/env.db" ] && ok || fail "SONDEO_DB not honoured"

(cd "$TMP" && "$SONDEO" init >/dev/null 2>&1)
[ -f "$TMP/sondeo.db" ] && ok || fail "default ./sondeo.db not created"

printf 'not a database at all' > "$TMP/junk.db"
expect_rc 1 "init on a non-database file is a user error" -- "$SONDEO" init --db "$TMP/junk.db"

expect_rc 1 "unknown option is a user error" -- "$SONDEO" init --frobnicate
finish
