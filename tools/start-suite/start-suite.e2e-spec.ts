import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort, redisAnswers, REPO_ROOT, singleNodeOnly, waitFor } from '@suite/testing';

const run = promisify(execFile);
const APPS = ['rpc-gateway', 'task-worker', 'cron-scheduler', 'workflow-listener'];
const LOG_DIR = join(REPO_ROOT, '.local', 'logs');

/** The environment of a start command that chooses its own servers rather than reuse the test stack's. */
async function startEnvironment(token: string): Promise<{ port: number; environment: NodeJS.ProcessEnv }> {
  const port = await findFreePort();
  const environment: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LISTENERS_SERVICE_TOKEN: token };
  for (const name of ['LISTENERS_REDIS_PORT', 'LISTENERS_REDIS_CLUSTER', 'FIRESTORE_EMULATOR_HOST', 'CHROMA_PORT', 'OPENAI_BASE_URL', 'OPENAI_API_KEY', 'SUITE_TEST_STACK', 'SUITE_TEST_LANE']) delete environment[name];
  return { port, environment };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

/** An app's failure to reach one of the local servers, as ioredis, the Firebase SDKs or the openai client words it. */
const CONNECTION_ERROR = /ECONNREFUSED|ECONNRESET|socket hang up|Connection error|FIREBASE WARNING/;

/** What each app's log (appended to by every run) holds beyond `offsets`. */
function logsSince(offsets: Map<string, number>): Map<string, string> {
  return new Map(APPS.map((app) => [app, readFileSync(join(LOG_DIR, `${app}.log`)).subarray(offsets.get(app) ?? 0).toString()]));
}

// npm start runs its own local stack (a single Redis node): the cluster lane has nothing to add here.
singleNodeOnly.describe('the start command (npm start)', () => {
  it('brings up the stack and all four apps, prints the gateway URL and token, and stops cleanly', async () => {
    const { port, environment } = await startEnvironment('start-test-token-1234567890');
    const { stdout } = await run('bash', [join(REPO_ROOT, 'scripts/start.sh'), '--exit-when-ready'], {
      cwd: REPO_ROOT,
      env: environment,
      timeout: 150_000,
    });

    expect(stdout).toContain('the suite is up');
    expect(stdout).toContain(`gateway        http://127.0.0.1:${port}`);
    expect(stdout).toContain(`queues         http://127.0.0.1:${port}/queues`);
    expect(stdout).toContain(`events         ws://127.0.0.1:${port}/ws/events?user_id=<uid>&token=<token>`);
    expect(stdout).toContain('service token  start-test-token-1234567890');
    expect(stdout).toMatch(/healthz\s+\{"status":"ok".*"redis":"ok"/);
    expect(stdout).toContain('apps live      cron-scheduler, rpc-gateway, task-worker, workflow-listener');
    expect(stdout).toMatch(/llm\s+http:\/\/127\.0\.0\.1:\d+\/v1\s+DEVELOPMENT MODEL/);
    expect(stdout).toMatch(/realtime db\s+127\.0\.0\.1:\d+ \(firebase-server/);
    expect(stdout).toContain('[suite] stopped');
  }, 180_000);

  it("Ctrl-C (SIGINT to the terminal's process group): the apps drain with every local server up, then the servers stop", async () => {
    const { environment } = await startEnvironment('start-test-token-ctrl-c-123456');
    const offsets = new Map(APPS.map((app) => [app, existsSync(join(LOG_DIR, `${app}.log`)) ? statSync(join(LOG_DIR, `${app}.log`)).size : 0]));
    // Detached: the start command leads a process group of its own, as a shell's foreground job does.
    const suite = spawn('bash', [join(REPO_ROOT, 'scripts/start.sh')], { cwd: REPO_ROOT, env: environment, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    suite.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    suite.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => suite.once('exit', (code) => resolve(code)));
    const groupId = suite.pid as number;
    try {
      await waitFor(() => stdout.includes('press Ctrl-C') || suite.exitCode !== null, 'the suite to be up', 150_000, 250);
      expect(stdout).toContain('the suite is up');
      const redisPort = Number(/redis\s+127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
      const realtimeDatabasePort = Number(/realtime db\s+127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
      const devModelPort = Number(/llm\s+http:\/\/127\.0\.0\.1:(\d+)\/v1/.exec(stdout)?.[1]);
      expect(await redisAnswers(redisPort)).toBe(true);
      expect(await portAnswers(realtimeDatabasePort)).toBe(true);
      expect(await portAnswers(devModelPort)).toBe(true);

      process.kill(-groupId, 'SIGINT');
      expect(await exited).toBe(0);

      // Every app drained with its servers still answering, and exited 0...
      for (const [app, log] of logsSince(offsets)) {
        expect({ app, lines: log.split('\n').filter((line) => CONNECTION_ERROR.test(line) || line.includes('shutdown_timeout')) }).toEqual({ app, lines: [] });
        expect({ app, shutdownComplete: log.includes('"event":"shutdown_complete"') }).toEqual({ app, shutdownComplete: true });
      }
      // ...and the servers were stopped after the last app had exited.
      const appsStopped = stdout.indexOf('apps stopped (');
      expect(appsStopped).toBeGreaterThan(-1);
      expect(stdout.indexOf('[suite] stopped')).toBeGreaterThan(appsStopped);
      expect(stdout).toMatch(/apps stopped \(rpc-gateway 0, task-worker 0, cron-scheduler 0, workflow-listener 0\)/);
      // Each server's exit is logged when it happens: every one came after the apps had stopped.
      const serverStops = [...stdout.matchAll(/^\[suite\] ([\w-]+) :\d+ stopped \(/gm)];
      expect(serverStops.map(([, server]) => server).sort()).toEqual(['chroma', 'dev-model-server', 'firebase-server', 'firestore-emulator', 'redis-server']);
      const stoppedBeforeTheApps = serverStops.filter((stop) => (stop.index ?? -1) < appsStopped).map(([line]) => line);
      expect(stoppedBeforeTheApps).toEqual([]);
      // The servers are gone too: nothing is left behind in their own process groups.
      expect(await redisAnswers(redisPort)).toBe(false);
      expect(await portAnswers(realtimeDatabasePort)).toBe(false);
      expect(await portAnswers(devModelPort)).toBe(false);
    } finally {
      if (suite.exitCode === null) {
        process.kill(-groupId, 'SIGTERM');
        await exited;
      }
    }
  }, 240_000);
});
