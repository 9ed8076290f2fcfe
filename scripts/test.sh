#!/usr/bin/env bash
# Runs every check and test of the suite through Nx (`nx run-many` over every project's typecheck,
# lint, test and test-cluster targets), inside one local stack of real servers (Redis, a 3-node
# Redis Cluster, the Firestore emulator, Chroma) started once on free loopback ports and stopped
# after. Ends with one summary line: "N passed, N failed, N skipped". Extra arguments go to nx.
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=true

bash scripts/ensure-deps.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

results=tmp/test-results
log=tmp/test-run.log
rm -rf "$results"; mkdir -p "$results"
export SUITE_TEST_RESULTS_DIR="$PWD/$results" SWC_NODE_PROJECT="$PWD/tsconfig.base.json"
started=$SECONDS
node -r @swc-node/register tools/test-stack/with-test-stack.ts \
  npx nx run-many -t typecheck lint test test-cluster --parallel=2 --outputStyle=stream "$@" 2>&1 | tee "$log"
echo "== nx run-many: $((SECONDS - started)) s"

node - "$results" "$log" <<'NODE'
const fs = require('fs');
const path = require('path');
const [dir, log] = process.argv.slice(2);
let passed = 0, failed = 0, skipped = 0;
const ran = new Set();
for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.json'))) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  passed += r.passed; failed += r.failed + r.runtimeErrorSuites; skipped += r.skipped;
  ran.add(`${r.project}.${r.lane}`);
  for (const name of [...r.failedTests, ...r.suiteErrors]) console.log(`failed (${r.lane} lane): ${name}`);
}
// A task that failed without reporting tests (a type error, a lint error, a jest crash) counts once.
const output = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
const failedTasks = [...output.matchAll(/^\s*-\s+([\w.-]+):([\w-]+)\s*$/gm)].filter(([, , target]) => ['typecheck', 'lint', 'test', 'test-cluster'].includes(target));
for (const [, project, target] of failedTasks) {
  if (target === 'test' || target === 'test-cluster') {
    const lane = target === 'test' ? 'all' : 'cluster';
    const reported = [...ran].some((key) => key.endsWith(`.${lane}`) && key.split('.')[0].endsWith(project));
    if (reported) continue;
  }
  console.log(`failed task: ${project}:${target}`);
  failed += 1;
}
if (passed + failed === 0) { console.log('no test ran: that is a failure'); failed += 1; }
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
NODE
