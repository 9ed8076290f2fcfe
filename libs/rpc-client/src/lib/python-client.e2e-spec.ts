import { TEST_SERVICE_TOKEN } from '@suite/testing';
import { join } from 'node:path';
import { RealApps, runCommand, startRealApps } from '../e2e/real-apps';

const PYTHON_DIR = join(__dirname, '../../python');

describe('Python client (libs/rpc-client/python) against the real gateway', () => {
  let apps: RealApps | undefined;

  beforeAll(async () => {
    apps = await startRealApps();
  }, 90_000);

  afterAll(async () => {
    await apps?.stop();
  });

  it('passes the unittest suite (python3 -m unittest -v test_suite_rpc)', async () => {
    const { code, output } = await runCommand('python3', ['-m', 'unittest', '-v', 'test_suite_rpc'], {
      cwd: PYTHON_DIR,
      env: { ...process.env, SUITE_RPC_URL: apps?.url, LISTENERS_SERVICE_TOKEN: TEST_SERVICE_TOKEN, PYTHONDONTWRITEBYTECODE: '1' },
    });
    const ran = Number(/^Ran (\d+) tests? in /m.exec(output)?.[1] ?? 0);
    // A failure shows the whole Python output; a suite that stops running (or skips) fails too.
    if (code !== 0 || ran < 8 || /skipped/i.test(output)) {
      throw new Error(`python3 -m unittest exited with ${code} after ${ran} test(s) (at least 8, none skipped, expected):\n${output}`);
    }
    expect(code).toBe(0);
    expect(ran).toBeGreaterThanOrEqual(8);
  }, 120_000);
});
