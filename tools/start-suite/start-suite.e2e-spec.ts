import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort, REPO_ROOT, singleNodeOnly } from '@suite/testing';

const run = promisify(execFile);

// npm start runs its own local stack (a single Redis node): the cluster lane has nothing to add here.
singleNodeOnly.describe('the start command (npm start)', () => {
  it('brings up the stack and all four apps, prints the gateway URL and token, and stops cleanly', async () => {
    const port = await findFreePort();
    const environment: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LISTENERS_SERVICE_TOKEN: 'start-test-token-1234567890' };
    // Let the start command choose its own servers rather than reuse the test stack's.
    for (const name of ['LISTENERS_REDIS_PORT', 'LISTENERS_REDIS_CLUSTER', 'FIRESTORE_EMULATOR_HOST', 'CHROMA_PORT', 'SUITE_TEST_STACK', 'SUITE_TEST_LANE']) delete environment[name];

    const { stdout } = await run('bash', [join(REPO_ROOT, 'scripts/start.sh'), '--exit-when-ready'], {
      cwd: REPO_ROOT,
      env: environment,
      timeout: 150_000,
    });

    expect(stdout).toContain('the suite is up');
    expect(stdout).toContain(`gateway        http://127.0.0.1:${port}`);
    expect(stdout).toContain('service token  start-test-token-1234567890');
    expect(stdout).toMatch(/healthz\s+\{"status":"ok".*"redis":"ok"/);
    expect(stdout).toContain('apps live      cron-scheduler, rpc-gateway, task-worker, workflow-listener');
    expect(stdout).toContain('[suite] stopped');
  }, 180_000);
});
