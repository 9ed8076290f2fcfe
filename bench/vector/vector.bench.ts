import { GloveEmbeddingProvider } from '@suite/embeddings';
import { ChromaClient, Collection } from 'chromadb';
import { spawnApp } from '../../libs/testing/src/lib/app-process';
import { startChromaServer } from '../../libs/testing/src/lib/stack/chroma-server';
import { findFreePort } from '../../libs/testing/src/lib/stack/free-port';
import type { ManagedProcess } from '../../libs/testing/src/lib/stack/managed-process';
import { startRedisServer } from '../../libs/testing/src/lib/stack/redis-server';
import { seededRandom } from '../../libs/testing/src/lib/seeded-random';
import type { Bench } from '../lib/bench';
import { machineInfo } from '../lib/machine';
import { median } from '../lib/median';
import { waitForHttp } from '../lib/processes';
import { say, writeResults } from '../lib/report';
import { percentile } from '../lib/percentile';
import { processMemoryMb } from '../lib/memory';

/**
 * CHROMA_VECTOR through the gateway beside the raw chromadb client, on one Chroma server, with
 * the same GloVe embeddings, in interleaved rounds. Embedding time is reported apart: the gateway
 * embeds inside the call (its answer says how long that took), the raw path embeds in this
 * process before calling Chroma, so "store" compares the Chroma work plus the gateway's own
 * overhead (HTTP, validation, quota charge) with the raw client's.
 */
const TOKEN = 'vector-bench-token-0123456789';
const TARGET_RATIO = 1.3;

interface Settings {
  documents: number;
  queries: number;
  rounds: number;
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer`);
  return parsed;
}

const WORDS = {
  subjects: ['the supplier', 'our accountant', 'the customer', 'a new employee', 'the auditor', 'the bank', 'the warehouse team', 'the sales manager', 'the lawyer', 'the board'],
  verbs: ['approved', 'rejected', 'sent', 'questioned', 'signed', 'paid', 'archived', 'reviewed', 'forwarded', 'corrected'],
  objects: ['the invoice', 'a credit note', 'the contract', 'the quarterly budget', 'a purchase order', 'the tax return', 'the payroll file', 'a delivery note', 'the expense report', 'the loan request'],
  places: ['in paris', 'from lyon', 'for the berlin office', 'before the deadline', 'after the meeting', 'on monday', 'last week', 'by email', 'with a discount', 'for the new project'],
};

/** Varied sentences (an HNSW graph of identical vectors is a degenerate case, not a benchmark). */
function texts(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const pick = (list: string[]) => list[Math.floor(random() * list.length)];
  return Array.from({ length: count }, (_, index) => `${pick(WORDS.subjects)} ${pick(WORDS.verbs)} ${pick(WORDS.objects)} ${pick(WORDS.places)} (ref ${index})`);
}

const rssMb = (pid: number): number => processMemoryMb(pid)?.rss ?? 0;

const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;

async function rpc(url: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ method, args, kwargs, timeout_ms: 300_000 }),
  });
  const body = (await response.json()) as { ok: boolean; data?: Record<string, unknown>; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.code} ${body.error?.message}`);
  return body.data as Record<string, unknown>;
}

interface RoundResult {
  gatewayAddMs: number;
  gatewayAddEmbedMs: number;
  rawAddStoreMs: number;
  rawAddEmbedMs: number;
  gatewayQueryMs: number[];
  rawQueryMs: number[];
  rawQueryEmbedMs: number;
  /** SYSTEM.ping through the same gateway, interleaved: the fixed cost of any call (HTTP hop, auth, envelope). */
  pingMs: number[];
}

async function runBench(): Promise<boolean> {
  const settings: Settings = {
    documents: positive(process.env.VECTOR_BENCH_DOCUMENTS, 5000, 'VECTOR_BENCH_DOCUMENTS'),
    queries: positive(process.env.VECTOR_BENCH_QUERIES, 200, 'VECTOR_BENCH_QUERIES'),
    rounds: positive(process.env.VECTOR_BENCH_ROUNDS, 3, 'VECTOR_BENCH_ROUNDS'),
  };
  say(`settings: ${JSON.stringify(settings)} (VECTOR_BENCH_DOCUMENTS, VECTOR_BENCH_QUERIES, VECTOR_BENCH_ROUNDS)`);
  const redis = await startRedisServer(await findFreePort());
  const chroma = await startChromaServer(await findFreePort());
  let gateway: ManagedProcess | undefined;
  try {
    const port = await findFreePort();
    gateway = spawnApp('rpc-gateway', {
      HOST: '127.0.0.1',
      PORT: String(port),
      LISTENERS_SERVICE_TOKEN: TOKEN,
      LISTENERS_REDIS_HOST: redis.host,
      LISTENERS_REDIS_PORT: String(redis.port),
      CHROMA_HOST: chroma.host,
      CHROMA_PORT: String(chroma.port),
      LOG_LEVEL: 'warn',
      RPC_BODY_LIMIT_BYTES: String(32 * 1024 * 1024),
      RPC_RATE_LIMIT_PER_MINUTE: '100000000',
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(gateway, `${url}/healthz`, 120_000);
    const pid = gateway.child.pid as number;
    const rssAtStart = rssMb(pid);

    // First vector call: the gateway loads the GloVe table (lazily, once).
    const loadStarted = performance.now();
    await rpc(url, 'CHROMA_VECTOR.add_documents', ['bench_warmup', ['warm up the embeddings']]);
    const firstCallMs = performance.now() - loadStarted;
    const rssAfterLoad = rssMb(pid);

    // The raw client with the same embeddings, in this process (loaded here, once, measured).
    const provider = new GloveEmbeddingProvider();
    const rawLoadStarted = performance.now();
    const tableInfo = await provider.warmUp();
    const rawLoadMs = performance.now() - rawLoadStarted;
    const client = new ChromaClient({ host: chroma.host, port: chroma.port });
    const batch = await client.getMaxBatchSize();

    const results: RoundResult[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      const documents = texts(settings.documents, 1000 + round);
      const queries = texts(settings.queries, 5000 + round).map((text) => text.replace(/\(ref \d+\)/, ''));
      const gatewayCollection = `bench_gateway_${round}`;
      const rawCollection = `bench_raw_${round}`;
      const result: Partial<RoundResult> = {};
      // Which path goes first alternates by round, so neither always meets a warmer server.
      const order = round % 2 === 0 ? ['gateway', 'raw'] : ['raw', 'gateway'];
      let rawHandle: Collection | undefined;
      for (const path of order) {
        if (path === 'gateway') {
          const started = performance.now();
          const answer = await rpc(url, 'CHROMA_VECTOR.add_documents', [gatewayCollection, documents]);
          result.gatewayAddMs = performance.now() - started;
          result.gatewayAddEmbedMs = Number(answer['embedding_ms']);
        } else {
          const embedStarted = performance.now();
          const vectors = await provider.embed(documents);
          result.rawAddEmbedMs = performance.now() - embedStarted;
          const storeStarted = performance.now();
          rawHandle = await client.getOrCreateCollection({ name: rawCollection, embeddingFunction: null, configuration: { hnsw: { space: 'cosine' } } });
          for (let start = 0; start < documents.length; start += batch) {
            await rawHandle.add({
              ids: documents.slice(start, start + batch).map((_, index) => `r${start + index}`),
              embeddings: vectors.slice(start, start + batch),
              documents: documents.slice(start, start + batch),
            });
          }
          result.rawAddStoreMs = performance.now() - storeStarted;
        }
      }
      // Queries interleaved one by one: gateway, raw, gateway, raw, …
      result.gatewayQueryMs = [];
      result.rawQueryMs = [];
      result.pingMs = [];
      let rawQueryEmbedMs = 0;
      for (const query of queries) {
        const pingStarted = performance.now();
        await rpc(url, 'SYSTEM.ping', []);
        result.pingMs.push(performance.now() - pingStarted);
        const gatewayStarted = performance.now();
        await rpc(url, 'CHROMA_VECTOR.query_documents', [gatewayCollection, [query]], { n_results: 10 });
        result.gatewayQueryMs.push(performance.now() - gatewayStarted);
        const rawStarted = performance.now();
        const [vector] = await provider.embed([query]);
        rawQueryEmbedMs += performance.now() - rawStarted;
        await (rawHandle as Collection).query({ queryEmbeddings: [vector], nResults: 10 });
        result.rawQueryMs.push(performance.now() - rawStarted);
      }
      result.rawQueryEmbedMs = rawQueryEmbedMs;
      results.push(result as RoundResult);
      say(
        `round ${round + 1}: add ${settings.documents} — gateway ${Math.round(result.gatewayAddMs ?? 0)} ms (embedding ${result.gatewayAddEmbedMs} ms), raw ${Math.round((result.rawAddStoreMs ?? 0) + (result.rawAddEmbedMs ?? 0))} ms (embedding ${Math.round(result.rawAddEmbedMs ?? 0)} ms); query p50 gateway ${round1(percentile(result.gatewayQueryMs, 50))} ms, raw ${round1(percentile(result.rawQueryMs, 50))} ms`,
      );
    }
    const rssAtEnd = rssMb(pid);

    const gatewayStore = median(results.map((r) => r.gatewayAddMs - r.gatewayAddEmbedMs));
    const rawStore = median(results.map((r) => r.rawAddStoreMs));
    const gatewayTotal = median(results.map((r) => r.gatewayAddMs));
    const rawTotal = median(results.map((r) => r.rawAddStoreMs + r.rawAddEmbedMs));
    const addRatio = median(results.map((r) => (r.gatewayAddMs - r.gatewayAddEmbedMs) / r.rawAddStoreMs));
    const totalRatio = median(results.map((r) => r.gatewayAddMs / (r.rawAddStoreMs + r.rawAddEmbedMs)));
    const gatewayQueries = results.flatMap((r) => r.gatewayQueryMs);
    const rawQueries = results.flatMap((r) => r.rawQueryMs);
    const queryRatio = median(results.map((r) => median(r.gatewayQueryMs) / median(r.rawQueryMs)));
    const queryWallRatio = median(results.map((r) => r.gatewayQueryMs.reduce((a, b) => a + b, 0) / r.rawQueryMs.reduce((a, b) => a + b, 0)));
    const summary = {
      add: {
        documents: settings.documents,
        gateway_total_ms: Math.round(gatewayTotal),
        gateway_embedding_ms: Math.round(median(results.map((r) => r.gatewayAddEmbedMs))),
        gateway_store_ms: Math.round(gatewayStore),
        raw_total_ms: Math.round(rawTotal),
        raw_embedding_ms: Math.round(median(results.map((r) => r.rawAddEmbedMs))),
        raw_store_ms: Math.round(rawStore),
        store_ratio: round2(addRatio),
        total_ratio: round2(totalRatio),
      },
      query: {
        count: settings.queries * settings.rounds,
        gateway_p50_ms: round1(percentile(gatewayQueries, 50)),
        gateway_p99_ms: round1(percentile(gatewayQueries, 99)),
        raw_p50_ms: round1(percentile(rawQueries, 50)),
        raw_p99_ms: round1(percentile(rawQueries, 99)),
        raw_embedding_ms_per_query: round2(median(results.map((r) => r.rawQueryEmbedMs)) / settings.queries),
        p50_ratio: round2(queryRatio),
        wall_ratio: round2(queryWallRatio),
        ping_p50_ms: round1(percentile(results.flatMap((r) => r.pingMs), 50)),
      },
      gateway_rss_mb: { at_start: rssAtStart, after_first_vector_call: rssAfterLoad, at_end: rssAtEnd },
      embeddings: { first_gateway_call_ms: Math.round(firstCallMs), bench_process_load_ms: Math.round(rawLoadMs), table: tableInfo },
      goal_ratio: TARGET_RATIO,
    };
    say(`add ${settings.documents} docs (median of ${settings.rounds} rounds): gateway ${summary.add.gateway_total_ms} ms = embedding ${summary.add.gateway_embedding_ms} + store ${summary.add.gateway_store_ms}; raw ${summary.add.raw_total_ms} ms = embedding ${summary.add.raw_embedding_ms} + store ${summary.add.raw_store_ms}`);
    say(`overhead ratio, embedding apart: ${summary.add.store_ratio}x (goal <= ${TARGET_RATIO}x); with embedding: ${summary.add.total_ratio}x`);
    say(`query (n_results 10, ${summary.query.count} each, embedding included): gateway p50 ${summary.query.gateway_p50_ms} ms p99 ${summary.query.gateway_p99_ms} ms; raw p50 ${summary.query.raw_p50_ms} ms p99 ${summary.query.raw_p99_ms} ms; p50 ratio ${summary.query.p50_ratio}x, wall ratio ${summary.query.wall_ratio}x`);
    say(`  of which the fixed cost of any gateway call (SYSTEM.ping, interleaved): p50 ${summary.query.ping_p50_ms} ms; query p50 beyond it: gateway ${round1(summary.query.gateway_p50_ms - summary.query.ping_p50_ms)} ms vs raw ${summary.query.raw_p50_ms} ms`);
    say(`gateway RSS: ${rssAtStart} MB at start, ${rssAfterLoad} MB after the first vector call (GloVe loaded in ${summary.embeddings.first_gateway_call_ms} ms), ${rssAtEnd} MB at the end`);
    say(`GloVe table: ${tableInfo.words} words x ${tableInfo.dimension} dims, ${Math.round(tableInfo.vector_bytes / 1048576)} MB Float32Array; loaded in ${summary.embeddings.bench_process_load_ms} ms in the bench process`);
    say(`results: ${writeResults('vector', { settings, machine: machineInfo(), summary, rounds: results.map((r) => ({ ...r, gatewayQueryMs: undefined, rawQueryMs: undefined })) })}`);
    return true;
  } finally {
    await gateway?.stop();
    await chroma.stop();
    await redis.stop();
  }
}

export const vectorBench: Bench = {
  name: 'vector',
  aliases: ['chroma'],
  description: 'CHROMA_VECTOR add 5,000 docs + 200 queries: gateway vs the raw chromadb client, same GloVe embeddings',
  run: runBench,
};
