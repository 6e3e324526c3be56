#!/usr/bin/env bash
# Disk full during `sondeo contacts import`, without privileges: RLIMIT_FSIZE (ulimit -f) with
# SIGXFSZ ignored makes every write past the limit fail with EFBIG, as a full disk would fail
# with ENOSPC. The import must fail with one clean error (exit 1 or 2, a message that says
# what happened) and leave the database intact: PRAGMA integrity_check = ok, the earlier
# import's rows unchanged, no row of the failed import.
SONDEO=$1
SRC=$2
. "$SRC/tests/reliability/lib.sh"
# Earlier data: the first 300 rows of the example base.
head -n 301 "$SRC/examples/bases/base_ejemplo.csv" >"$TMP/small.csv"
expect_rc 0 "first import" -- "$SONDEO" contacts import "$TMP/small.csv" --campaign demo
db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
snapshot() {
  db "SELECT 'contacts', COUNT(*) FROM contacts; SELECT 'phones', COUNT(*) FROM phones;
      SELECT 'imports', COUNT(*) FROM imports;" 2>/dev/null
  db ".dump contacts phones" | sha256sum
}
snapshot >"$TMP/before"
N_BEFORE=$(db "SELECT COUNT(*) FROM contacts")
[ "$N_BEFORE" -gt 0 ] && ok || fail "first import stored nothing"

# A big base: 30,000 distinct citizens (fresh documents and mobiles), several MB of pages.
python3 - "$TMP/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("documento;nombres;apellidos;telefono;celular;municipio;departamento;correo\n")
    for n in range(1, 30001):
        f.write("7777%06d;María José %d;Muñoz Peña;;31%08d;Medellín;Antioquia;mj%d@correo.com.co\n"
                % (n, n, 20000000 + n, n))
PY
# The limit: the database's current size plus 256 KiB, for every file the import writes
# (database, WAL, rejects). ulimit -f counts 1024-byte blocks.
SIZE_KB=$(( $(stat -c %s "$DB") / 1024 ))
LIMIT=$((SIZE_KB + 256))
run_limited() { ( trap '' XFSZ; ulimit -f "$LIMIT"; exec "$@" ); }
run_limited "$SONDEO" contacts import "$TMP/big.csv" --campaign demo \
  >"$TMP/out" 2>"$TMP/err"
RC=$?
ERR=$(cat "$TMP/err")
[ "$RC" -eq 1 ] || [ "$RC" -eq 2 ] && ok || fail "disk full: exit $RC, want 1 or 2; stderr: $ERR"
[ "$(grep -c 'sondeo: error:' "$TMP/err")" -eq 1 ] && ok || fail "disk full: not one error line: $ERR"
contains "$ERR" "disk full" "disk full: the message says the disk is full"
grep -qi 'AddressSanitizer\|runtime error\|terminate called\|Aborted' "$TMP/err" && fail "disk full: crash: $ERR" || ok
echo "disk full: exit $RC: $ERR" >&2

# The database is intact: integrity ok, earlier rows unchanged, nothing of the failed import.
[ "$(db "PRAGMA integrity_check")" = ok ] && ok || fail "integrity_check: $(db 'PRAGMA integrity_check' | head -3)"
snapshot >"$TMP/after"
diff -q "$TMP/before" "$TMP/after" >/dev/null && ok || fail "earlier data changed: $(diff "$TMP/before" "$TMP/after")"
[ "$(db "SELECT COUNT(*) FROM contacts WHERE document LIKE '7777%'")" = 0 ] && ok || fail "partial import left rows"
# And the same import works once there is room again.
expect_rc 0 "import after the disk is freed" -- "$SONDEO" contacts import "$TMP/big.csv" --campaign demo
[ "$(db "SELECT COUNT(*) FROM contacts")" -gt "$N_BEFORE" ] && ok || fail "import after freeing space"
[ "$(db "PRAGMA integrity_check")" = ok ] && ok || fail "integrity_check after the retry"
finish
