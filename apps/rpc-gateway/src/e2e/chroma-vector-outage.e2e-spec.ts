import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuotaStorageKey } from '@suite/redis-namespaces';
import { findFreePort, startChromaServer, testConfig, testRedisClient, TestRedis, uniqueId } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

type ChromaServer = Awaited<ReturnType<typeof startChromaServer>>;

/** A Chroma server of this test's own (stopped, frozen and restarted on its port and data folder). */
describe('CHROMA_VECTOR.* when Chroma goes away and comes back', () => {
  let gateway: GatewayTestApp;
  let chroma: ChromaServer;
  let port: number;
  let dataDir: string;
  let redis: TestRedis;

  beforeAll(async () => {
    port = await findFreePort();
    dataDir = mkdtempSync(join(tmpdir(), 'chroma-outage-'));
    chroma = await startChromaServer(port, dataDir);
    gateway = await startGateway(testConfig({ CHROMA_PORT: String(port), CHROMA_TIMEOUT_MS: '1500', CHROMA_RETRY_AFTER_MS: '1234' }));
    redis = testRedisClient();
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await chroma?.stop();
    await redis?.quit();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => {
    const result = await postRpc(gateway.url, { method: `CHROMA_VECTOR.${method}`, args, kwargs });
    return { status: result.status, data: result.body.data as never, error: result.body.error };
  };

  it('stopped: UNAVAILABLE with retry_after_ms, nothing charged; restarted: the next call works and the data persisted', async () => {
    const collection = uniqueId('outage').replace(/-/g, '_');
    const documents = ['the contract renews every january', 'our supplier ships from lyon', 'a kitten naps on the copier'];
    expect((await call('add_documents', [collection, documents], { ids: ['r1', 'r2', 'r3'] })).data).toMatchObject({ added: 3 });
    const usedBefore = Number(await redis.get(buildQuotaStorageKey(collection)));

    await chroma.stop();
    for (const [method, args] of [
      ['query_documents', [collection, ['the office cat sleeps on the warm printer']]],
      ['add_documents', [collection, ['one more']]],
      ['get_collection_info', [collection]],
      ['analyze_collection', [collection]],
    ] as const) {
      const down = await call(method, [...args]);
      expect({ method, status: down.status, code: down.error?.code, retry: down.error?.retry_after_ms }).toEqual({ method, status: 503, code: 'UNAVAILABLE', retry: 1234 });
    }
    expect(Number(await redis.get(buildQuotaStorageKey(collection)))).toBe(usedBefore);

    chroma = await startChromaServer(port, dataDir);
    const answer = await call('query_documents', [collection, ['the office cat sleeps on the warm printer']], { n_results: 1 });
    expect(answer.status).toBe(200);
    expect(answer.data).toMatchObject({ ids: [['r3']], documents: [['a kitten naps on the copier']] });
    expect((await call('get_collection_info', [collection])).data).toMatchObject({ count: 3, embedding_provider: 'glove' });
    expect((await call('add_documents', [collection, ['one more']])).data).toMatchObject({ added: 1 });
  }, 90_000);

  it('frozen (a server that accepts and never answers): UNAVAILABLE within CHROMA_TIMEOUT_MS, then it recovers by itself', async () => {
    const collection = uniqueId('frozen').replace(/-/g, '_');
    expect((await call('add_documents', [collection, ['invoices are due in thirty days']])).status).toBe(200);
    const pid = chroma.process.child.pid as number;
    process.kill(pid, 'SIGSTOP');
    try {
      const stuck = await postRpc(gateway.url, { method: 'CHROMA_VECTOR.query_documents', args: [collection, ['payment terms']], timeout_ms: 10_000 });
      // 503 UNAVAILABLE, not 504 TIMEOUT: answered inside the call's own timeout_ms.
      expect({ status: stuck.status, code: stuck.body.error?.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const recovered = await call('query_documents', [collection, ['payment terms']], { n_results: 1 });
    expect(recovered.status).toBe(200);
    expect(recovered.data).toMatchObject({ documents: [['invoices are due in thirty days']] });
  }, 60_000);
});
