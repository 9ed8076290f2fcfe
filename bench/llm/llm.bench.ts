import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule, loadConfig } from '@suite/config';
import { FirebaseModule } from '@suite/firebase';
import { ChatAnswerStreamer, DEVELOPMENT_MODEL_KEY, LlmModule } from '@suite/llm';
import { RedisModule } from '@suite/redis';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { randomUUID } from 'node:crypto';
import { spawnApp } from '../../libs/testing/src/lib/app-process';
import { findFreePort } from '../../libs/testing/src/lib/stack/free-port';
import { ManagedProcess, waitUntilReady } from '../../libs/testing/src/lib/stack/managed-process';
import { startDevModelServer } from '../../libs/testing/src/lib/stack/dev-model-server';
import { startRedisServer } from '../../libs/testing/src/lib/stack/redis-server';
import type { Bench } from '../lib/bench';
import { machineInfo } from '../lib/machine';
import { processMemoryMb } from '../lib/memory';
import { waitForHttp } from '../lib/processes';
import { median } from '../lib/median';
import { say, writeResults } from '../lib/report';
import { percentile } from '../lib/percentile';
import { integerSetting } from '../lib/settings';

const RAW = 'raw openai stream';
const STREAMER = 'ChatAnswerStreamer';
const SEND_MESSAGE = 'LLM.send_message';
const TOKEN = 'bench-service-token-0123456789';
const MODEL = 'gpt-4o-mini';

interface Settings {
  /** Answers per target per round, one at a time. */
  answers: number;
  rounds: number;
  warmup: number;
}

const msSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

@Module({})
class LlmBenchModule {
  static register(config: AppConfig): DynamicModule {
    return { module: LlmBenchModule, imports: [ConfigModule.forRoot(config), RedisModule, FirebaseModule, LlmModule] };
  }
}

/** Time to the first piece of the answer from the raw openai client (the baseline). */
async function rawFirstDelta(client: OpenAI, prompt: string): Promise<number> {
  const start = process.hrtime.bigint();
  const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: prompt }], stream: true });
  let first: number | undefined;
  for await (const chunk of stream) {
    if (first === undefined && chunk.choices[0]?.delta?.content) first = msSince(start);
  }
  if (first === undefined) throw new Error('the raw stream sent no content');
  return first;
}

/** Time from the streamer's call to the first chat.message a subscriber of the thread receives. */
async function streamerFirstEvent(streamer: ChatAnswerStreamer, firstSeen: Map<string, (at: bigint) => void>, thread: { user: string; company: string; threadKey: string }, prompt: string): Promise<number> {
  const messageId = randomUUID();
  const start = process.hrtime.bigint();
  const seen = new Promise<bigint>((resolve) => firstSeen.set(messageId, resolve));
  await streamer.stream({ userId: thread.user, companyId: thread.company, threadKey: thread.threadKey, messageId, model: MODEL, messages: [{ role: 'user', content: prompt }] });
  const at = await seen;
  return Number(at - start) / 1e6;
}

/**
 * Time from the POST of `LLM.send_message` to the gateway to the first chat.message a subscriber
 * receives: the gateway stores the user message and queues the answer, the task-worker takes the
 * job, reads the context window and streams (the whole path a Reflex user waits on).
 */
async function sendMessageFirstEvent(gatewayUrl: string, firstSeen: Map<string, (at: bigint) => void>, thread: { user: string; company: string; threadKey: string }, prompt: string, replies?: number[]): Promise<number> {
  const start = process.hrtime.bigint();
  const response = await fetch(`${gatewayUrl}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ method: 'LLM.send_message', args: [thread.user, thread.company, thread.threadKey, prompt] }),
  });
  const body = (await response.json()) as { ok: boolean; data?: { message_id: string }; error?: unknown };
  if (!body.ok || !body.data) throw new Error(`LLM.send_message failed: ${JSON.stringify(body.error)}`);
  const messageId = body.data.message_id;
  replies?.push(msSince(start));
  // The first event may have arrived before the answer to the POST: it is kept until asked for.
  const at = await new Promise<bigint>((resolve) => {
    const early = seenEarly.get(messageId);
    if (early !== undefined) {
      seenEarly.delete(messageId);
      resolve(early);
    } else firstSeen.set(messageId, resolve);
  });
  return Number(at - start) / 1e6;
}

const seenEarly = new Map<string, bigint>();

/** The real gateway and task-worker processes (as `npm start` runs them), on the bench's Redis and development model. */
async function startApps(redisPort: number, modelUrl: string): Promise<{ gateway: ManagedProcess; worker: ManagedProcess; url: string }> {
  const port = await findFreePort();
  const environment = {
    HOST: '127.0.0.1',
    LISTENERS_SERVICE_TOKEN: TOKEN,
    LISTENERS_REDIS_HOST: '127.0.0.1',
    LISTENERS_REDIS_PORT: String(redisPort),
    OPENAI_API_KEY: '',
    OPENAI_BASE_URL: modelUrl,
    LOG_LEVEL: 'warn',
    RPC_RATE_LIMIT_PER_MINUTE: '100000000',
  };
  const gateway = spawnApp('rpc-gateway', { ...environment, PORT: String(port) });
  const worker = spawnApp('task-worker', { ...environment, WORKER_QUEUES: 'llm', LOG_LEVEL: 'info' });
  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.all([waitForHttp(gateway, `${url}/healthz`, 120_000), waitUntilReady(worker, async () => worker.output().includes('"event":"workers_started"'), 120_000)]);
  } catch (error) {
    await Promise.all([gateway.stop(), worker.stop()]);
    throw error;
  }
  return { gateway, worker, url };
}

async function run(): Promise<boolean> {
  const settings: Settings = { answers: integerSetting('BENCH_LLM_ANSWERS', 40, 1), rounds: integerSetting('BENCH_ROUNDS', 5, 1), warmup: integerSetting('BENCH_LLM_WARMUP', 10, 0) };
  const [redisPort, modelPort] = await Promise.all([findFreePort(), findFreePort()]);
  const [redisServer, devModel] = await Promise.all([startRedisServer(redisPort), startDevModelServer(modelPort)]);
  let app: INestApplicationContext | undefined;
  let apps: { gateway: ManagedProcess; worker: ManagedProcess; url: string } | undefined;
  const subscriber = new Redis({ host: '127.0.0.1', port: redisPort });
  try {
    apps = await startApps(redisPort, devModel.url);
    const config = loadConfig({ ...process.env, LISTENERS_REDIS_HOST: '127.0.0.1', LISTENERS_REDIS_PORT: String(redisPort), OPENAI_API_KEY: '', OPENAI_BASE_URL: devModel.url, LOG_LEVEL: 'silent' });
    app = await NestFactory.createApplicationContext(LlmBenchModule.register(config), { logger: false });
    await app.init();
    const streamer = app.get(ChatAnswerStreamer);
    const client = new OpenAI({ apiKey: DEVELOPMENT_MODEL_KEY, baseURL: devModel.url, maxRetries: 0 });
    const thread = { user: 'bench-u', company: `bench-c-${randomUUID().slice(0, 8)}`, threadKey: 'bench-thread' };
    const firstSeen = new Map<string, (at: bigint) => void>();
    // Every answer seen at least once: only its first event counts.
    const answered = new Set<string>();
    subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) => {
      const at = process.hrtime.bigint();
      const id = (JSON.parse(message) as { payload: { message_id: string } }).payload.message_id;
      const resolve = firstSeen.get(id);
      if (resolve) {
        firstSeen.delete(id);
        resolve(at);
      } else if (!seenEarly.has(id) && !answered.has(id)) {
        seenEarly.set(id, at);
      }
      answered.add(id);
    });
    await subscriber.psubscribe(`chat:${thread.user}:${thread.company}:*`);

    const prompt = (n: number) => `Benchmark question number ${n}, answer briefly.`;
    for (let i = 0; i < settings.warmup; i++) {
      await rawFirstDelta(client, prompt(i));
      await streamerFirstEvent(streamer, firstSeen, thread, prompt(i));
      await sendMessageFirstEvent(apps.url, firstSeen, { ...thread, threadKey: `warmup-${i}` }, prompt(i));
    }
    const samples: Record<string, number[]> = { [RAW]: [], [STREAMER]: [], [SEND_MESSAGE]: [] };
    const rounds: Array<{ raw_p50: number; streamer_p50: number; send_message_p50: number; added_p50: number; send_message_added_p50: number; raw_p99: number; streamer_p99: number; send_message_p99: number; send_message_reply_p50: number }> = [];
    for (let round = 0; round < settings.rounds; round++) {
      const raw: number[] = [];
      const streamed: number[] = [];
      const sent: number[] = [];
      const replies: number[] = [];
      // Interleaved one by one, so all three see the same machine. Each send_message goes to a
      // thread of its own per answer index, so the context window stays the same size.
      for (let i = 0; i < settings.answers; i++) {
        raw.push(await rawFirstDelta(client, prompt(i)));
        streamed.push(await streamerFirstEvent(streamer, firstSeen, thread, prompt(i)));
        sent.push(await sendMessageFirstEvent(apps.url, firstSeen, { ...thread, threadKey: `r${round}-${i}` }, prompt(i), replies));
      }
      samples[RAW].push(...raw);
      samples[STREAMER].push(...streamed);
      samples[SEND_MESSAGE].push(...sent);
      const row = {
        raw_p50: median(raw),
        streamer_p50: median(streamed),
        send_message_p50: median(sent),
        added_p50: median(streamed) - median(raw),
        send_message_added_p50: median(sent) - median(raw),
        raw_p99: percentile(raw, 99),
        streamer_p99: percentile(streamed, 99),
        send_message_p99: percentile(sent, 99),
        send_message_reply_p50: median(replies),
      };
      rounds.push(row);
      say(`round ${round + 1}: time to first piece p50 raw ${row.raw_p50.toFixed(2)} ms, streamer ${row.streamer_p50.toFixed(2)} ms, send_message ${row.send_message_p50.toFixed(2)} ms (added ${row.added_p50.toFixed(2)} / ${row.send_message_added_p50.toFixed(2)} ms; its RPC answer p50 ${row.send_message_reply_p50.toFixed(2)} ms)`);
    }
    const summary = Object.fromEntries(
      Object.entries(samples).map(([target, values]) => [target, { p50_ms: median(values), p99_ms: percentile(values, 99), answers: values.length }]),
    );
    const added = { p50_ms: summary[STREAMER].p50_ms - summary[RAW].p50_ms, p99_ms: summary[STREAMER].p99_ms - summary[RAW].p99_ms };
    const sendAdded = { p50_ms: summary[SEND_MESSAGE].p50_ms - summary[RAW].p50_ms, p99_ms: summary[SEND_MESSAGE].p99_ms - summary[RAW].p99_ms };
    say(`time to the first piece of the answer, over ${settings.rounds} rounds x ${settings.answers} answers (development model server, one at a time):`);
    say(`  ${RAW.padEnd(22)} p50 ${summary[RAW].p50_ms.toFixed(2)} ms   p99 ${summary[RAW].p99_ms.toFixed(2)} ms   (first content chunk at the client)`);
    say(`  ${STREAMER.padEnd(22)} p50 ${summary[STREAMER].p50_ms.toFixed(2)} ms   p99 ${summary[STREAMER].p99_ms.toFixed(2)} ms   (first chat.message at a Redis subscriber)`);
    say(`  ${SEND_MESSAGE.padEnd(22)} p50 ${summary[SEND_MESSAGE].p50_ms.toFixed(2)} ms   p99 ${summary[SEND_MESSAGE].p99_ms.toFixed(2)} ms   (POST to the gateway → first chat.message, answered by the task-worker)`);
    say(`  added by the streamer  p50 ${added.p50_ms.toFixed(2)} ms   p99 ${added.p99_ms.toFixed(2)} ms   (median per-round added p50 ${median(rounds.map((row) => row.added_p50)).toFixed(2)} ms)`);
    say(`  added by send_message  p50 ${sendAdded.p50_ms.toFixed(2)} ms   p99 ${sendAdded.p99_ms.toFixed(2)} ms   (goal: under 15 ms at p99)`);
    const memory = { gateway: processMemoryMb(apps.gateway.child.pid), task_worker: processMemoryMb(apps.worker.child.pid) };
    say(`  after the run: gateway RSS ${memory.gateway?.rss ?? '?'} MB (peak ${memory.gateway?.peak ?? '?'}), task-worker RSS ${memory.task_worker?.rss ?? '?'} MB (peak ${memory.task_worker?.peak ?? '?'})`);
    const file = writeResults('llm', { settings, summary, added, send_message_added: sendAdded, rounds, memory_mb: memory, machine: machineInfo() });
    say(`results: ${file}`);
    return true;
  } finally {
    subscriber.disconnect();
    await Promise.all([apps?.gateway.stop(), apps?.worker.stop()]);
    await app?.close();
    await Promise.all([devModel.stop(), redisServer.stop()]);
  }
}

export const llmBench: Bench = {
  name: 'llm',
  description: 'time to the first chat.message (in-process streamer, and LLM.send_message through the gateway and a task-worker) vs the raw openai client, on the development model server',
  run,
};
