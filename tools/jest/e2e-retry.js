// e2e tests drive real servers and processes on a shared 2-core machine: one that fails is run once
// more, with its first failure logged (so a flaky test shows in the output instead of hiding).
// Unit specs are never retried.
if (process.env.SUITE_TEST_LANE !== 'unit' && /\.e2e-spec\.ts$/.test(expect.getState().testPath ?? '')) {
  jest.retryTimes(1, { logErrorsBeforeRetry: true });
}
