import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule, loadConfig } from '@suite/config';
import { FirebaseModule } from '@suite/firebase';
import { ChatAnswerStreamer, DEVELOPMENT_MODEL_KEY, LlmModule } from '@suite/llm';
import { RedisModule } from '@suite/redis';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { randomUUID } from 'node:crypto';
import { findFreePort } from '../../libs/testing/src/lib/stack/free-port';
import { startDevModelServer } from '../../libs/testing/src/lib/stack/dev-model-server';
import { startRedisServer } from '../../libs/testing/src/lib/stack/redis-server';
import type { Bench } from '../lib/bench';
import { machineInfo } from '../lib/machine';
import { median } from '../lib/median';
import { say, writeResults } from '../lib/report';
import { percentile } from '../lib/percentile';

const RAW = 'raw openai stream';
const STREAMER = 'ChatAnswerStreamer';
const MODEL = 'gpt-4o-mini';

interface Settings {
  /** Answers per target per round, one at a time. */
  answers: number;
  rounds: number;
  warmup: number;
}

function integerSetting(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
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

async function run(): Promise<boolean> {
  const settings: Settings = { answers: integerSetting('BENCH_LLM_ANSWERS', 40), rounds: integerSetting('BENCH_ROUNDS', 5), warmup: integerSetting('BENCH_LLM_WARMUP', 10) };
  const [redisPort, modelPort] = await Promise.all([findFreePort(), findFreePort()]);
  const [redisServer, devModel] = await Promise.all([startRedisServer(redisPort), startDevModelServer(modelPort)]);
  let app: INestApplicationContext | undefined;
  const subscriber = new Redis({ host: '127.0.0.1', port: redisPort });
  try {
    const config = loadConfig({ ...process.env, LISTENERS_REDIS_HOST: '127.0.0.1', LISTENERS_REDIS_PORT: String(redisPort), OPENAI_API_KEY: '', OPENAI_BASE_URL: devModel.url, LOG_LEVEL: 'silent' });
    app = await NestFactory.createApplicationContext(LlmBenchModule.register(config), { logger: false });
    await app.init();
    const streamer = app.get(ChatAnswerStreamer);
    const client = new OpenAI({ apiKey: DEVELOPMENT_MODEL_KEY, baseURL: devModel.url, maxRetries: 0 });
    const thread = { user: 'bench-u', company: `bench-c-${randomUUID().slice(0, 8)}`, threadKey: 'bench-thread' };
    const firstSeen = new Map<string, (at: bigint) => void>();
    subscriber.on('message', (_channel: string, message: string) => {
      const at = process.hrtime.bigint();
      const id = (JSON.parse(message) as { payload: { message_id: string } }).payload.message_id;
      const resolve = firstSeen.get(id);
      if (resolve) {
        firstSeen.delete(id);
        resolve(at);
      }
    });
    await subscriber.subscribe(`chat:${thread.user}:${thread.company}:${thread.threadKey}`);

    const prompt = (n: number) => `Benchmark question number ${n}, answer briefly.`;
    for (let i = 0; i < settings.warmup; i++) {
      await rawFirstDelta(client, prompt(i));
      await streamerFirstEvent(streamer, firstSeen, thread, prompt(i));
    }
    const samples: Record<string, number[]> = { [RAW]: [], [STREAMER]: [] };
    const rounds: Array<{ raw_p50: number; streamer_p50: number; added_p50: number; raw_p99: number; streamer_p99: number }> = [];
    for (let round = 0; round < settings.rounds; round++) {
      const raw: number[] = [];
      const streamed: number[] = [];
      // Interleaved one by one, so both see the same machine.
      for (let i = 0; i < settings.answers; i++) {
        raw.push(await rawFirstDelta(client, prompt(i)));
        streamed.push(await streamerFirstEvent(streamer, firstSeen, thread, prompt(i)));
      }
      samples[RAW].push(...raw);
      samples[STREAMER].push(...streamed);
      const row = { raw_p50: median(raw), streamer_p50: median(streamed), added_p50: median(streamed) - median(raw), raw_p99: percentile(raw, 99), streamer_p99: percentile(streamed, 99) };
      rounds.push(row);
      say(`round ${round + 1}: time to first piece p50 raw ${row.raw_p50.toFixed(2)} ms, streamer ${row.streamer_p50.toFixed(2)} ms (added ${row.added_p50.toFixed(2)} ms)`);
    }
    const summary = Object.fromEntries(
      Object.entries(samples).map(([target, values]) => [target, { p50_ms: median(values), p99_ms: percentile(values, 99), answers: values.length }]),
    );
    const added = { p50_ms: summary[STREAMER].p50_ms - summary[RAW].p50_ms, p99_ms: summary[STREAMER].p99_ms - summary[RAW].p99_ms };
    say(`time to the first piece of the answer, over ${settings.rounds} rounds x ${settings.answers} answers (development model server, one at a time):`);
    say(`  ${RAW.padEnd(22)} p50 ${summary[RAW].p50_ms.toFixed(2)} ms   p99 ${summary[RAW].p99_ms.toFixed(2)} ms   (first content chunk at the client)`);
    say(`  ${STREAMER.padEnd(22)} p50 ${summary[STREAMER].p50_ms.toFixed(2)} ms   p99 ${summary[STREAMER].p99_ms.toFixed(2)} ms   (first chat.message at a Redis subscriber)`);
    say(`  added by the streamer  p50 ${added.p50_ms.toFixed(2)} ms   p99 ${added.p99_ms.toFixed(2)} ms   (median per-round added p50 ${median(rounds.map((row) => row.added_p50)).toFixed(2)} ms)`);
    const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
    say(`  RSS of the bench process (streamer in-process): ${rssMb} MB`);
    say('  not measured yet: LLM.send_message through the gateway and the task-worker (coming with chat history)');
    const file = writeResults('llm', { settings, summary, added, rounds, rss_mb: rssMb, machine: machineInfo() });
    say(`results: ${file}`);
    return true;
  } finally {
    subscriber.disconnect();
    await app?.close();
    await Promise.all([devModel.stop(), redisServer.stop()]);
  }
}

export const llmBench: Bench = {
  name: 'llm',
  description: 'time to the first streamed chat.message vs the raw openai client, on the development model server',
  run,
};
