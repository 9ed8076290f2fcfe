// Writes the counts of one jest run to SUITE_TEST_RESULTS_DIR (when set), one file per project and
// lane, so `npm test` can print one summary line over every project's run (scripts/test.sh).
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

class ResultsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.SUITE_TEST_RESULTS_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const workspaceRoot = path.resolve(__dirname, '../..');
    const project = path.relative(workspaceRoot, this.rootDir || process.cwd()).replace(/[\\/]/g, '_') || 'workspace';
    const lane = process.env.SUITE_TEST_LANE ?? 'all';
    const failedTests = results.testResults.flatMap((file) =>
      file.testResults.filter((test) => test.status === 'failed').map((test) => `${path.relative(workspaceRoot, file.testFilePath)}: ${test.fullName}`),
    );
    const suiteErrors = results.testResults
      .filter((file) => file.testExecError)
      .map((file) => `${path.relative(workspaceRoot, file.testFilePath)}: ${file.testExecError.message.split('\n')[0]}`);
    writeFileSync(
      path.join(dir, `${project}.${lane}.json`),
      JSON.stringify({
        project,
        lane,
        passed: results.numPassedTests,
        failed: results.numFailedTests,
        skipped: results.numPendingTests + results.numTodoTests,
        runtimeErrorSuites: results.numRuntimeErrorTestSuites,
        failedTests,
        suiteErrors,
      }),
    );
  }
}

module.exports = ResultsReporter;
