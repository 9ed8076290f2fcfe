#!/usr/bin/env bash
# The fast loop: every project's unit tests (*.spec.ts) in one jest process, with no server started.
# Extra arguments go to jest (e.g. a path to run one file).
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false SUITE_TEST_LANE=unit
exec npx jest --ci --testPathIgnorePatterns '\.e2e-spec\.ts$' "$@"
