#!/usr/bin/env bash
# The database locked by another process: the sqlite3 CLI holds BEGIN EXCLUSIVE while sondeo
# writes. sondeo waits (the store's busy_timeout, 5 s), then fails with one clean error that
# names the lock: exit 1 or 2, no crash, no hang, nothing written. A lock released while
# sondeo is still waiting is simply waited out. Afterwards the database is intact.
SONDEO=$1
SRC=$2
. "$SRC/tests/reliability/lib.sh"
LOCKER=""
cleanup() {
  exec 3>&- 2>/dev/null
  [ -n "$LOCKER" ] && kill "$LOCKER" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
head -n 201 "$SRC/examples/bases/base_ejemplo.csv" >"$TMP/a.csv"
N0=$(db "SELECT COUNT(*) FROM contacts")

# lock: the sqlite3 CLI, fed through a FIFO, takes BEGIN EXCLUSIVE and keeps it.
lock() {
  rm -f "$TMP/fifo" "$TMP/lock.out"
  mkfifo "$TMP/fifo"
  sqlite3 "$DB" <"$TMP/fifo" >"$TMP/lock.out" 2>&1 &
  LOCKER=$!
  exec 3>"$TMP/fifo"
  echo "BEGIN EXCLUSIVE; SELECT 'locked';" >&3
  for _ in $(seq 100); do grep -q locked "$TMP/lock.out" && return 0; sleep 0.05; done
  echo "could not take the lock: $(cat "$TMP/lock.out")" >&2; exit 1
}
unlock() {
  echo "COMMIT;" >&3
  exec 3>&-
  wait "$LOCKER" 2>/dev/null
  LOCKER=""
}

# 1. Held for longer than the busy timeout: bounded wait, then a clean error naming the lock.
lock
T0=$(date +%s%N)
timeout 60 "$SONDEO" contacts import "$TMP/a.csv" --campaign demo >"$TMP/out" 2>"$TMP/err"
RC=$?
MS=$(( ($(date +%s%N) - T0) / 1000000 ))
ERR=$(cat "$TMP/err")
[ "$RC" -eq 1 ] || [ "$RC" -eq 2 ] && ok || fail "locked: exit $RC (124 = hang), want 1 or 2; stderr: $ERR"
[ "$(grep -c 'sondeo: error:' "$TMP/err")" -eq 1 ] && ok || fail "locked: not one error line: $ERR"
contains "$ERR" "in use by another process" "locked: the message names the lock"
grep -qi 'AddressSanitizer\|runtime error\|terminate called' "$TMP/err" && fail "locked: crash: $ERR" || ok
[ "$MS" -ge 4500 ] && ok || fail "locked: gave up after $MS ms, before the 5 s busy timeout"
[ "$MS" -le 20000 ] && ok || fail "locked: waited $MS ms, unbounded"
echo "locked: exit $RC after $MS ms: $ERR" >&2
unlock
[ "$(db "SELECT COUNT(*) FROM contacts")" = "$N0" ] && ok || fail "locked: something was written"

# 2. Released while sondeo waits (after 1.5 s): sondeo retries and succeeds.
lock
( sleep 1.5; echo "COMMIT;" >&3 ) &
REL=$!
expect_rc 0 "lock released during the wait" -- timeout 60 "$SONDEO" contacts import "$TMP/a.csv" --campaign demo
wait "$REL"
exec 3>&-
wait "$LOCKER" 2>/dev/null
LOCKER=""
[ "$(db "SELECT COUNT(*) FROM contacts")" -gt "$N0" ] && ok || fail "import after the wait stored nothing"
[ "$(db "PRAGMA integrity_check")" = ok ] && ok || fail "integrity_check"
finish
