#!/usr/bin/env bash
# Benchmarks (numbers, not pass/fail): `npm run bench` runs all, `npm run bench -- rpc` one.
# Settings: BENCH_DURATION_S (10), BENCH_CONNECTIONS (64), BENCH_WARMUP_S (3), BENCH_CPU_PROF=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
export SWC_NODE_PROJECT="$PWD/tsconfig.base.json"
exec node -r @swc-node/register bench/index.ts "$@"
