import { FIRESTORE, Firestore } from '@suite/firebase';
import { FirestoreDocuments, FirestoreUnavailableError } from '@suite/firestore-documents';
import { findFreePort, testConfig, uniqueId } from '@suite/testing';
import { Firestore as FirestoreClient, GeoPoint, Timestamp } from 'firebase-admin/firestore';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

/** The emulator's REST view of a document: the wire types Firestore stored. */
async function storedFields(path: string): Promise<Record<string, Record<string, unknown>>> {
  const host = process.env['FIRESTORE_EMULATOR_HOST'];
  const project = process.env['FIREBASE_PROJECT_ID'];
  const response = await fetch(`http://${host}/v1/projects/${project}/databases/(default)/documents/${path}`, { headers: { authorization: 'Bearer owner' } });
  return ((await response.json()) as { fields: Record<string, Record<string, unknown>> }).fields;
}

describe('FIREBASE_MANAGEMENT.* against the Firestore emulator', () => {
  let gateway: GatewayTestApp;
  let firestore: Firestore;
  let root: string;

  const call = async (method: string, args: unknown[], kwargs: Record<string, unknown> = {}) =>
    postRpc(gateway.url, { method: `FIREBASE_MANAGEMENT.${method}`, args, kwargs });

  beforeAll(async () => {
    gateway = await startGateway(testConfig());
    firestore = gateway.app.get(FIRESTORE);
    root = `clients/${uniqueId('fm')}`;
  });

  afterAll(() => gateway.close());

  it('set_document then get_document round-trips JSON, integers staying integers', async () => {
    const data = { name: 'Acme', count: 3, ratio: 0.25, big: 9007199254740991, flag: true, none: null, tags: ['a', 1], nested: { deep: { n: -7 } }, when: '2025-09-20T12:30:00.000Z' };
    const set = await call('set_document', [`${root}/docs/d1`, data]);
    expect(set.body).toEqual({ ok: true, data: { success: true, path: `${root}/docs/d1` } });

    expect((await call('get_document', [`${root}/docs/d1`])).body).toEqual({ ok: true, data });
    const stored = await storedFields(`${root}/docs/d1`);
    expect(stored['count']).toEqual({ integerValue: '3' });
    expect(stored['big']).toEqual({ integerValue: '9007199254740991' });
    expect(stored['ratio']).toEqual({ doubleValue: 0.25 });
    expect(stored['when']).toEqual({ stringValue: '2025-09-20T12:30:00.000Z' });
  });

  it('get_document gives Firestore types as JSON: ISO timestamps, reference paths, base64 bytes, geo points', async () => {
    await firestore.doc(`${root}/docs/typed`).set({
      at: Timestamp.fromDate(new Date('2025-09-20T12:30:00.123Z')),
      ref: firestore.doc(`${root}/docs/d1`),
      bytes: Buffer.from([0, 1, 2, 250]),
      where: new GeoPoint(48.85, 2.35),
      list: [Timestamp.fromMillis(0), { inner: new GeoPoint(-1, -2) }],
    });
    const got = await call('get_document', [`${root}/docs/typed`]);
    expect(got.body).toEqual({
      ok: true,
      data: {
        at: '2025-09-20T12:30:00.123Z',
        ref: `${root}/docs/d1`,
        bytes: Buffer.from([0, 1, 2, 250]).toString('base64'),
        where: { latitude: 48.85, longitude: 2.35 },
        list: ['1970-01-01T00:00:00.000Z', { inner: { latitude: -1, longitude: -2 } }],
      },
    });
  });

  it('get_document of a missing document is null', async () => {
    expect((await call('get_document', [`${root}/docs/missing`])).body).toEqual({ ok: true, data: null });
  });

  it('set_document with merge keeps other fields; without merge replaces the document', async () => {
    await call('set_document', [`${root}/docs/m`, { a: 1, b: { c: 2 } }]);
    await call('set_document', [`${root}/docs/m`, { b: { d: 3 } }], { merge: true });
    expect((await call('get_document', [`${root}/docs/m`])).body.data).toEqual({ a: 1, b: { c: 2, d: 3 } });
    await call('set_document', [`${root}/docs/m`, { z: 'only' }, false]);
    expect((await call('get_document', [`${root}/docs/m`])).body.data).toEqual({ z: 'only' });
  });

  it('update_document changes fields (dotted keys are field paths) and is NOT_FOUND for a missing document', async () => {
    await call('set_document', [`${root}/docs/u`, { status: 'new', meta: { step: 1, keep: true } }]);
    expect((await call('update_document', [`${root}/docs/u`, { status: 'done', 'meta.step': 2 }])).body).toEqual({ ok: true, data: { success: true, path: `${root}/docs/u` } });
    expect((await call('get_document', [`${root}/docs/u`])).body.data).toEqual({ status: 'done', meta: { step: 2, keep: true } });

    const missing = await call('update_document', [`${root}/docs/nope`, { status: 'x' }]);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(`${root}/docs/nope`) });
  });

  it('delete_document removes the document (and is fine when it is already gone)', async () => {
    await call('set_document', [`${root}/docs/del`, { x: 1 }]);
    expect((await call('delete_document', [`${root}/docs/del`])).body.ok).toBe(true);
    expect((await call('get_document', [`${root}/docs/del`])).body.data).toBeNull();
    expect((await call('delete_document', [`${root}/docs/del`])).body.ok).toBe(true);
  });

  it('query_collection filters with where, orders with order_by, limits, and gives each item its id', async () => {
    const collection = `${root}/jobs`;
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) => call('set_document', [`${collection}/j${n}`, { n, status: n % 2 ? 'odd' : 'even', tags: [`t${n}`] }])),
    );
    const odd = await call('query_collection', [collection, [['status', '==', 'odd']], [['n', 'desc']]]);
    expect(odd.body.data).toEqual([
      { id: 'j5', n: 5, status: 'odd', tags: ['t5'] },
      { id: 'j3', n: 3, status: 'odd', tags: ['t3'] },
      { id: 'j1', n: 1, status: 'odd', tags: ['t1'] },
    ]);
    const limited = await call('query_collection', [collection], { where: [['n', '>=', 2], ['n', '<', 5]], order_by: [['n', 'asc']], limit: 2 });
    expect((limited.body.data as { id: string }[]).map((item) => item.id)).toEqual(['j2', 'j3']);
    const inList = await call('query_collection', [collection, [['n', 'in', [1, 4]]], [['n']]]);
    expect((inList.body.data as { id: string }[]).map((item) => item.id)).toEqual(['j1', 'j4']);
    const contains = await call('query_collection', [collection, [['tags', 'array-contains', 't2']]]);
    expect((contains.body.data as { id: string }[]).map((item) => item.id)).toEqual(['j2']);
    const all = await call('query_collection', [collection]);
    expect(all.body.data).toHaveLength(5);
  });

  it('add_or_update_job_by_job_id creates the document job_data.job_id, then merges into it', async () => {
    const collection = `${root}/notifications`;
    const first = await call('add_or_update_job_by_job_id', [collection, { job_id: 'abc123', status: 'running', progress: 10 }]);
    expect(first.body).toEqual({ ok: true, data: { success: true, job_id: 'abc123', path: `${collection}/abc123` } });
    await call('add_or_update_job_by_job_id', [collection, { job_id: 'abc123', status: 'completed' }]);
    expect((await call('get_document', [`${collection}/abc123`])).body.data).toEqual({ job_id: 'abc123', status: 'completed', progress: 10 });
  });

  it.each([
    ['get_document', [`clients/x/docs`], 'path "clients/x/docs" is a collection path (3 segments); a document path is needed'],
    ['set_document', [`clients`, { a: 1 }], 'is a collection path'],
    ['update_document', [`clients/x/docs`, { a: 1 }], 'a document path is needed'],
    ['delete_document', [`clients/x/docs`], 'a document path is needed'],
    ['query_collection', [`clients/x`], 'path "clients/x" is a document path (2 segments); a collection path is needed'],
    ['add_or_update_job_by_job_id', [`clients/x`, { job_id: 'j' }], 'collection_path "clients/x" is a document path'],
    ['get_document', [`clients//x`], 'empty segment'],
    ['get_document', [`clients/__x__`], 'reserved'],
  ])('%s with a wrong kind of path or a bad path is INVALID_ARGS saying which (%#)', async (method, args, message) => {
    const result = await call(method, args);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: 'INVALID_ARGS', message: expect.stringContaining(message) });
  });

  it.each([
    ['an unsupported where operator', 'query_collection', [`${'clients/q'}/c`, [['n', 'like', 1]]], 'operator "like" is not supported'],
    ['a where clause that is not a triple', 'query_collection', ['clients/q/c', [['n', '==']]], 'where[0] must be [field, operator, value]'],
    ['"in" without a list', 'query_collection', ['clients/q/c', [['n', 'in', 3]]], 'needs a list'],
    ['a bad order_by direction', 'query_collection', ['clients/q/c', [], [['n', 'up']]], 'direction must be "asc" or "desc"'],
    ['a limit over the cap', 'query_collection', ['clients/q/c', [], [], 5000], 'limit'],
    ['data that is not an object', 'set_document', ['clients/q/c/d', [1, 2]], 'data must be a JSON object'],
    ['a nested array', 'set_document', ['clients/q/c/d', { a: [[1]] }], 'array directly inside an array'],
    ['an empty field name', 'set_document', ['clients/q/c/d', { '': 1 }], 'empty field name'],
    ['a job without job_id', 'add_or_update_job_by_job_id', ['clients/q/c', { status: 'x' }], 'job_data.job_id must be a non-empty string'],
    ['a job id with a slash', 'add_or_update_job_by_job_id', ['clients/q/c', { job_id: 'a/b' }], 'job_data.job_id must not contain "/"'],
  ])('%s is INVALID_ARGS naming it', async (_what, method, args, message) => {
    const result = await call(method, args as unknown[]);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: 'INVALID_ARGS', message: expect.stringContaining(message) });
  });

  it('a document over 1 MiB is INVALID_ARGS before Firestore sees it', async () => {
    // The gateway's body limit is 1 MiB too: a gateway with a larger body limit shows the document check.
    const big = await startGateway(testConfig({ RPC_BODY_LIMIT_BYTES: String(4 * 1024 * 1024) }));
    try {
      const result = await postRpc(big.url, { method: 'FIREBASE_MANAGEMENT.set_document', args: [`${root}/docs/big`, { blob: 'x'.repeat(1024 * 1024) }] });
      expect(result.status).toBe(400);
      expect(result.body.error).toMatchObject({ code: 'INVALID_ARGS', message: expect.stringContaining('1 MiB') });
    } finally {
      await big.close();
    }
  });

  it('Firestore unreachable is UNAVAILABLE with a retry time', async () => {
    const deadPort = await findFreePort();
    const unreachable = new FirestoreClient({ projectId: 'demo-unreachable', host: '127.0.0.1', port: deadPort, ssl: false });
    const config = testConfig({ FIREBASE_OPERATION_TIMEOUT_MS: '1500', FIREBASE_RETRY_AFTER_MS: '2500' });
    const documents = new FirestoreDocuments(unreachable, config);
    const failure = await documents.getDocument('clients/u/docs/d').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FirestoreUnavailableError);
    expect(failure).toMatchObject({ retryAfterMs: 2500 });
    // Not terminated: the SDK still retries the abandoned read, and terminating the client under it
    // makes the SDK throw "The client has already been terminated" later, into the next test file
    // of the same jest worker. The client dies with the worker.
  });
});
