#!/usr/bin/env bash
# server/src/web_assets.cc must be what server/web/embed.cmake makes of server/web/ today.
SRC=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cmake -DWEB_DIR="$SRC/server/web" -DOUT="$TMP/web_assets.cc" -P "$SRC/server/web/embed.cmake" || exit 1
if diff -q "$TMP/web_assets.cc" "$SRC/server/src/web_assets.cc" >/dev/null; then
  echo "1 passed, 0 failed"
else
  echo "FAIL: server/src/web_assets.cc is stale; run:" >&2
  echo "  cmake -DWEB_DIR=server/web -DOUT=server/src/web_assets.cc -P server/web/embed.cmake" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
