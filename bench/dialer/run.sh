#!/usr/bin/env bash
# Dialing engine benchmarks: pacing (three modes side by side, several seeds) and the
# scheduler's decision latency over 1,000,000 contacts vs a full scan.
# Usage: bench/dialer/run.sh [SEEDS]   (build first: scripts/build release)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build/release}
cmake --build "$build" --target dialer_pacing_bench dialer_scheduler_bench -j2
"$build/bench/dialer/dialer_scheduler_bench" 1000000 100000
"$build/bench/dialer/dialer_pacing_bench" "${1:-3}" 20
