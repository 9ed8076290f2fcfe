import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { INSTANCES_KEY } from '@suite/redis-namespaces';
import { LocalStack, ManagedProcess, REPO_ROOT, spawnApp, startLocalStack, waitFor } from '@suite/testing';
import { readStartOptions } from './start-options';

const APPS = ['rpc-gateway', 'task-worker', 'cron-scheduler', 'workflow-listener'] as const;
const WORKER_APPS = APPS.filter((app) => app !== 'rpc-gateway');

function log(message: string): void {
  process.stdout.write(`[suite] ${message}\n`);
}

async function liveApps(redis: Redis): Promise<Set<string>> {
  const members = await redis.zrangebyscore(INSTANCES_KEY, Date.now() - 15_000, '+inf');
  return new Set(members.map((member) => (JSON.parse(member) as { app: string }).app));
}

async function main(): Promise<void> {
  const options = await readStartOptions(process.env, process.argv.slice(2));
  const logDir = join(REPO_ROOT, '.local', 'logs');
  mkdirSync(logDir, { recursive: true });

  log(`starting Redis, the Firestore emulator and Chroma${process.env['OPENAI_API_KEY'] ? '' : ', and the development model server (OPENAI_API_KEY is unset)'}…`);
  const stack: LocalStack = await startLocalStack(options);
  if (stack.devModel) {
    const modelLog = createWriteStream(join(logDir, 'dev-model-server.log'), { flags: 'a' });
    modelLog.write(`${stack.devModel.process.output().trim()}\n`); // its "listening" line, written before this point
    stack.devModel.process.child.stdout?.pipe(modelLog);
  }
  const apps: ManagedProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping the apps (draining), then the local servers…');
    await Promise.all(apps.map((app) => app.stop(30_000)));
    await stack.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

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
    child.child.stdout?.pipe(logFile);
    child.child.stderr?.pipe(logFile);
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
  log(`service token  ${options.token}${options.tokenGenerated ? '   (generated; set LISTENERS_SERVICE_TOKEN to choose it)' : ''}`);
  log(`healthz        ${JSON.stringify(health)}`);
  log(`apps live      ${live.join(', ')}`);
  log(`redis          ${stack.redis.host}:${stack.redis.port}`);
  log(`firestore      ${stack.firestore.hostPort} (emulator)`);
  log(`chroma         http://${stack.chroma.host}:${stack.chroma.port}`);
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
