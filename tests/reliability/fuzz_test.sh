#!/usr/bin/env bash
# ctest reliability.fuzz: every libFuzzer target for $SONDEO_FUZZ_SECONDS each (CI: 60), two
# at a time, through scripts/fuzz (clang build in build/fuzz, fails on any crash). Skipped
# (exit 77) when SONDEO_FUZZ_SECONDS is not set, so a developer's plain ctest stays quick.
SRC=$1
if [ -z "${SONDEO_FUZZ_SECONDS:-}" ]; then
  echo "SONDEO_FUZZ_SECONDS not set: fuzzing skipped (CI sets 60)"
  exit 77
fi
# The fuzz build has its own sanitizer options; do not inherit the ASan suite's.
unset ASAN_OPTIONS UBSAN_OPTIONS
FUZZ_JOBS=${FUZZ_JOBS:-2} exec "$SRC/scripts/fuzz" "$SONDEO_FUZZ_SECONDS"
