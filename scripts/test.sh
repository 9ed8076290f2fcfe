#!/usr/bin/env bash
# Runs every check and test of the suite against real servers it starts (Redis, Firestore
# emulator, Chroma) on free loopback ports. Ends with one summary line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

bash scripts/ensure-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

failed_steps=()
step() {
  local name=$1; shift
  echo "== $name"
  local started=$SECONDS
  if "$@"; then echo "== $name: ok ($((SECONDS - started)) s)"; else echo "== $name: FAILED"; failed_steps+=("$name"); fi
}

step typecheck npx tsc -p tsconfig.json
# The module-boundaries rule reads Nx's project graph; on a fresh clone it must be computed first.
step project-graph npx nx show projects
step lint npx eslint apps libs tools bench --max-warnings=0 --no-error-on-unmatched-pattern

mkdir -p tmp
results=tmp/jest-results.json
rm -f "$results"
# --forceExit: SDK clients (gRPC channels of firebase-admin) may keep timers alive after their tests end.
step tests npx jest --ci --forceExit --maxWorkers=2 --json --outputFile="$results" "$@"

node - "$results" "${failed_steps[*]:-}" <<'NODE'
const fs = require('fs');
const [file, failedSteps] = process.argv.slice(2);
let passed = 0, failed = 0, skipped = 0;
if (fs.existsSync(file)) {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed = r.numPassedTests; failed = r.numFailedTests; skipped = r.numPendingTests + r.numTodoTests;
  if (r.numTotalTests === 0) { console.log('no test ran: that is a failure'); failed += 1; }
  if (r.numRuntimeErrorTestSuites > 0) failed += r.numRuntimeErrorTestSuites;
} else {
  console.log('the test runner produced no results');
  failed += 1;
}
const steps = failedSteps.trim() ? failedSteps.trim().split(/\s+/) : [];
if (steps.length) console.log(`failed steps: ${steps.join(', ')}`);
failed += steps.filter((s) => s !== 'tests').length;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
NODE
