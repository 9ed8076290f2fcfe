import { findFreePort, ManagedProcess, spawnApp, TEST_SERVICE_TOKEN, waitFor } from '@suite/testing';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const PYTHON_DIR = join(__dirname, '../../python');

/** Runs a command to its end; resolves with its exit code and its stdout and stderr interleaved. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function healthy(url: string, gateway: ManagedProcess): Promise<boolean> {
  if (gateway.child.exitCode !== null) throw new Error(`the gateway exited with code ${gateway.child.exitCode}:\n${gateway.output()}`);
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

describe('Python client (libs/rpc-client/python) against the real gateway', () => {
  let gateway: ManagedProcess | undefined;
  let url: string;

  beforeAll(async () => {
    const port = await findFreePort();
    url = `http://127.0.0.1:${port}`;
    gateway = spawnApp('rpc-gateway', { PORT: String(port), LISTENERS_SERVICE_TOKEN: TEST_SERVICE_TOKEN });
    const started = gateway;
    await waitFor(() => healthy(url, started), `the gateway to answer GET ${url}/healthz`, 30_000, 100).catch((error: Error) => {
      throw new Error(`${error.message}\n${started.output()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
  });

  it('passes the unittest suite (python3 -m unittest -v test_suite_rpc)', async () => {
    const { code, output } = await run('python3', ['-m', 'unittest', '-v', 'test_suite_rpc'], {
      cwd: PYTHON_DIR,
      env: { ...process.env, SUITE_RPC_URL: url, SUITE_RPC_TOKEN: TEST_SERVICE_TOKEN, PYTHONDONTWRITEBYTECODE: '1' },
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
