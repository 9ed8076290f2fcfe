#!/usr/bin/env bash
# Runs the whole suite on this machine: Redis, the Firestore emulator, Chroma and the four apps.
# Prints the gateway URL and service token; Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
export SWC_NODE_PROJECT="$PWD/tsconfig.base.json"
exec node -r @swc-node/register tools/start-suite/start-suite.ts "$@"
