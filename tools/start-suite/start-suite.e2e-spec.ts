import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort, REPO_ROOT } from '@suite/testing';

const run = promisify(execFile);

describe('the start command (npm start)', () => {
  it('brings up the stack and all four apps, prints the gateway URL and token, and stops cleanly', async () => {
    const port = await findFreePort();
    const environment: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LISTENERS_SERVICE_TOKEN: 'start-test-token-1234567890' };
    // Let the start command choose its own servers rather than reuse the test stack's.
    for (const name of ['LISTENERS_REDIS_PORT', 'FIRESTORE_EMULATOR_HOST', 'CHROMA_PORT', 'OPENAI_BASE_URL', 'OPENAI_API_KEY', 'SUITE_TEST_STACK']) delete environment[name];

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
    expect(stdout).toMatch(/llm\s+http:\/\/127\.0\.0\.1:\d+\/v1\s+DEVELOPMENT MODEL/);
    expect(stdout).toContain('[suite] stopped');
  }, 180_000);
});
