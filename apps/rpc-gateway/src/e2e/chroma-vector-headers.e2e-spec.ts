import { TEST_SERVICE_TOKEN, testConfig, uniqueId } from '@suite/testing';
import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

const TOKEN_HEADER = 'x-chroma-token';
const TOKEN = 'chroma-secret-token';

/** An HTTP proxy in front of the stack's Chroma that refuses (401) any request without the token, as a Chroma with token auth does. */
function startAuthProxy(target: { host: string; port: number }): Promise<{ server: Server; port: number; refused: () => number }> {
  let refused = 0;
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    if (incoming.headers[TOKEN_HEADER] !== TOKEN) {
      refused += 1;
      outgoing.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Unauthorized' }));
      return;
    }
    const forwarded = httpRequest({ host: target.host, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, refused: () => refused })));
}

/** CHROMA_HEADERS reach Chroma on every call, /debug's probe included (a Chroma behind token auth). */
describe('CHROMA_HEADERS: auth headers on every Chroma request', () => {
  let proxy: Awaited<ReturnType<typeof startAuthProxy>>;
  let withToken: GatewayTestApp;
  let withoutToken: GatewayTestApp;

  beforeAll(async () => {
    const stack = testConfig();
    proxy = await startAuthProxy({ host: stack.CHROMA_HOST, port: stack.CHROMA_PORT });
    const chroma = { CHROMA_HOST: '127.0.0.1', CHROMA_PORT: String(proxy.port), CHROMA_TIMEOUT_MS: '3000' };
    withToken = await startGateway(testConfig({ ...chroma, CHROMA_HEADERS: JSON.stringify({ [TOKEN_HEADER]: TOKEN }) }));
    withoutToken = await startGateway(testConfig(chroma));
  });

  afterAll(async () => {
    await Promise.all([withToken?.close(), withoutToken?.close()]);
    await new Promise((resolve) => proxy?.server.close(resolve));
  });

  const debugChroma = async (gateway: GatewayTestApp) => {
    const response = await fetch(`${gateway.url}/debug`, { headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}` } });
    return ((await response.json()) as { chroma: { status: string; url: string; version?: string } }).chroma;
  };

  it('/debug probes Chroma with the headers: ok with the token, error without it', async () => {
    expect(await debugChroma(withToken)).toEqual({ status: 'ok', url: `http://127.0.0.1:${proxy.port}`, version: expect.any(String) });
    const refusedBefore = proxy.refused();
    expect(await debugChroma(withoutToken)).toEqual({ status: 'error', url: `http://127.0.0.1:${proxy.port}` });
    expect(proxy.refused()).toBeGreaterThan(refusedBefore);
  });

  it('adds and queries carry the headers', async () => {
    const collection = uniqueId('auth').replace(/[^a-zA-Z0-9-]/g, '-');
    const refusedBefore = proxy.refused();
    const added = await postRpc(withToken.url, { method: 'CHROMA_VECTOR.add_documents', args: [collection, ['the office cat sleeps on the warm printer']] });
    expect(added.body).toMatchObject({ ok: true, data: { success: true, added: 1 } });
    const found = await postRpc(withToken.url, { method: 'CHROMA_VECTOR.query_documents', args: [collection, ['cat']], kwargs: { n_results: 1 } });
    expect(found.body).toMatchObject({ ok: true, data: { documents: [['the office cat sleeps on the warm printer']] } });
    expect(proxy.refused()).toBe(refusedBefore);
  });
});
