import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { INSTANCES_KEY } from '@suite/redis-namespaces';
import { LocalStack, ManagedProcess, REPO_ROOT, spawnApp, startLocalStack, waitFor } from '@suite/testing';
import { readStartOptions } from './start-options';

const APPS = ['rpc-gateway', 'task-worker', 'cron-scheduler', 'workflow-listener'] as const;
const WORKER_APPS = APPS.filter((app) => app !== 'rpc-gateway');
/** An app drains within SHUTDOWN_GRACE_MS (25 s by default) and exits by itself 5 s after at the latest. */
const APP_STOP_GRACE_MS = 30_000;

function log(message: string): void {
  process.stdout.write(`[suite] ${message}\n`);
}

async function liveApps(redis: Redis): Promise<Set<string>> {
  const members = await redis.zrangebyscore(INSTANCES_KEY, Date.now() - 15_000, '+inf');
  return new Set(members.map((member) => (JSON.parse(member) as { app: string }).app));
}

/** The processes of the local servers: Redis, the Firestore emulator, Chroma, the Realtime Database stand-in and the development model. */
function localServers(stack: LocalStack): ManagedProcess[] {
  return [stack.redis, stack.firestore, stack.chroma, stack.realtimeDatabase, ...(stack.devModel ? [stack.devModel] : [])].map((server) => server.process);
}

async function main(): Promise<void> {
  const options = await readStartOptions(process.env, process.argv.slice(2));
  const logDir = join(REPO_ROOT, '.local', 'logs');
  mkdirSync(logDir, { recursive: true });

  log(`starting Redis, the Firestore emulator, Chroma and the Realtime Database stand-in${process.env['OPENAI_API_KEY'] ? '' : ', and the development model server (OPENAI_API_KEY is unset)'}…`);
  // The servers run in process groups of their own: a Ctrl-C in the terminal reaches this process
  // and the apps only. The apps drain with their servers still up; the servers are stopped after.
  const stack: LocalStack = await startLocalStack({ ...options, ownProcessGroup: true });
  // Logged when it happens, whatever stopped the server: the order of these lines shows when each one went.
  for (const server of localServers(stack)) {
    server.child.once('exit', (code, signal) => log(`${server.name} stopped (${code ?? signal})`));
  }
  if (stack.devModel) {
    const modelLog = createWriteStream(join(logDir, 'dev-model-server.log'), { flags: 'a' });
    modelLog.write(`${stack.devModel.process.output().trim()}\n`); // its "listening" line, written before this point
    stack.devModel.process.child.stdout?.pipe(modelLog);
  }
  const apps: ManagedProcess[] = [];
  const logsWritten: Array<Promise<void>> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping the apps (draining), then the local servers…');
    // An app that got the terminal's SIGINT already drains; the SIGTERM of stop() changes nothing then.
    await Promise.all(apps.map((app) => app.stop(APP_STOP_GRACE_MS)));
    log(`apps stopped (${apps.map((app) => `${app.name} ${app.child.exitCode ?? app.child.signalCode}`).join(', ')}); stopping the local servers…`);
    await stack.stop();
    await Promise.all(logsWritten);
    log('stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));

  const environment = {
    ...stack.environment,
    PORT: String(options.gatewayPort),
    HOST: '127.0.0.1',
    LISTENERS_SERVICE_TOKEN: options.token,
    LIVENESS_DIR: join(REPO_ROOT, '.local'),
  };
  for (const app of APPS) {
    const child = spawnApp(app, environment);
    const logFile = createWriteStream(join(logDir, `${app}.log`), { flags: 'a' });
    // Two sources share the file: it ends once the app closed both, and is flushed before exiting.
    child.child.stdout?.pipe(logFile, { end: false });
    child.child.stderr?.pipe(logFile, { end: false });
    child.child.once('close', () => logFile.end());
    logsWritten.push(new Promise((resolve) => logFile.once('close', () => resolve())));
    child.child.once('exit', (code, signal) => {
      if (!stopping) {
        log(`${app} exited (${code ?? signal}); see ${join(logDir, `${app}.log`)}`);
        void stopAll(1);
      }
    });
    apps.push(child);
  }

  const gatewayUrl = `http://127.0.0.1:${options.gatewayPort}`;
  const redis = new Redis({ host: stack.redis.host, port: stack.redis.port, lazyConnect: true });
  await redis.connect();
  try {
    await waitFor(async () => {
      const response = await fetch(`${gatewayUrl}/healthz`).catch(() => undefined);
      return response?.status === 200;
    }, 'the gateway to answer /healthz', 120_000, 250);
    await waitFor(async () => {
      const live = await liveApps(redis);
      return WORKER_APPS.every((app) => live.has(app));
    }, 'the task worker, cron scheduler and workflow listener to report live', 120_000, 250);
  } catch (error) {
    log(String(error instanceof Error ? error.message : error));
    await stopAll(1);
    return;
  }
  const health = await (await fetch(`${gatewayUrl}/healthz`)).json();
  const live = [...(await liveApps(redis))].sort();
  redis.disconnect();

  log('the suite is up');
  log(`gateway        ${gatewayUrl}   (POST /rpc, GET /healthz, GET /debug, GET /metrics)`);
  log(`queues         ${gatewayUrl}/queues   (dashboard; in a browser: any user name, the service token as password)`);
  log(`events         ${gatewayUrl.replace('http', 'ws')}/ws/events?user_id=<uid>&token=<token>   (WebSocket; add &since=<event id> to replay)`);
  log(`service token  ${options.token}${options.tokenGenerated ? '   (generated; set LISTENERS_SERVICE_TOKEN to choose it)' : ''}`);
  log(`healthz        ${JSON.stringify(health)}`);
  log(`apps live      ${live.join(', ')}`);
  log(`redis          ${stack.redis.host}:${stack.redis.port}`);
  log(`firestore      ${stack.firestore.hostPort} (emulator)`);
  log(`chroma         http://${stack.chroma.host}:${stack.chroma.port}`);
  log(`realtime db    ${stack.realtimeDatabase.hostPort} (firebase-server, a stand-in for the Realtime Database emulator)`);
  log(
    stack.devModel
      ? `llm            ${stack.devModel.url}   DEVELOPMENT MODEL (deterministic answers, not a language model; set OPENAI_API_KEY for OpenAI)`
      : `llm            OpenAI${process.env['OPENAI_BASE_URL'] ? ` at ${process.env['OPENAI_BASE_URL']}` : ''} (OPENAI_API_KEY set)`,
  );
  log(`logs           ${logDir}/<app>.log`);
  log('press Ctrl-C to stop everything');
  if (options.exitWhenReady) await stopAll(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`[suite] could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
