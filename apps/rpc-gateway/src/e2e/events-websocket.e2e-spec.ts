import { Socket } from 'node:net';
import { EventEnvelope, EventPublisher } from '@suite/events';
import { RedisConnections } from '@suite/redis';
import { TEST_SERVICE_TOKEN, testConfig, uniqueId, waitFor } from '@suite/testing';
import { WebSocket } from 'ws';
import { GatewayTestApp, startGateway } from './gateway-test-app';

interface Client {
  socket: WebSocket;
  /** The events received (frames with an event id). */
  received: EventEnvelope[];
  /** Every frame received, events and control frames, in order. */
  frames: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A refused upgrade: its HTTP status and the body it came with. */
class Refused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
  }
}

function connect(baseUrl: string, query: string, headers: Record<string, string> = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` }): Promise<Client> {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws/events?${query}`, { headers });
  const received: EventEnvelope[] = [];
  const frames: Array<Record<string, unknown>> = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    frames.push(frame);
    if (typeof frame.id === 'string') received.push(frame);
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () =>
      resolve({
        socket,
        received,
        frames,
        close: () =>
          new Promise<void>((done) => {
            socket.once('close', () => done());
            socket.close();
          }),
      }),
    );
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.once('end', () => reject(new Refused(response.statusCode ?? 0, body)));
    });
    socket.once('error', reject);
  });
}

/** The refusal a connection attempt ended with. */
async function refusalOf(attempt: Promise<Client>): Promise<{ status: number; body: { ok: boolean; error: { code: string; message: string } } }> {
  const failure = await attempt.then(
    (client) => client.close().then(() => new Error('connected')),
    (error: unknown) => error,
  );
  if (!(failure instanceof Refused)) throw failure;
  return { status: failure.status, body: JSON.parse(failure.body) };
}

describe('WebSocket events: /ws/events', () => {
  let gateway: GatewayTestApp;
  let publisher: EventPublisher;

  beforeAll(async () => {
    gateway = await startGateway(testConfig());
    publisher = gateway.app.get(EventPublisher);
  });

  afterAll(() => gateway.close());

  it('refuses a connection without the token or without a user, saying why in the body', async () => {
    expect(await refusalOf(connect(gateway.url, 'user_id=u1', {}))).toEqual({
      status: 401,
      body: { ok: false, error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/service token is required/) } },
    });
    expect(await refusalOf(connect(gateway.url, `user_id=u1&token=wrong-token-0000000000`, {}))).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/not valid/) } },
    });
    expect(await refusalOf(connect(gateway.url, ''))).toMatchObject({ status: 400, body: { error: { code: 'INVALID_ARGS', message: expect.stringMatching(/^user_id is required/) } } });
    expect(await refusalOf(connect(gateway.url, `user_id=${'u'.repeat(257)}`))).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^user_id must be at most 256/) } } });
    expect(await refusalOf(connect(gateway.url, 'user_id=u1&since=yesterday'))).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_ARGS', message: expect.stringMatching(/^since must be an event id/) } },
    });
  });

  it('ends the replay with one replay.done frame, before the live events (and with nothing to replay too)', async () => {
    const user = uniqueId('ws');
    const fresh = await connect(gateway.url, `user_id=${user}`);
    await waitFor(() => fresh.frames.length === 1, 'the replay.done frame');
    expect(fresh.frames).toEqual([{ type: 'replay.done', last_id: null }]);
    const first = (await publisher.publishToUser(user, 'notif.sync', { n: 1 })).id;
    const second = (await publisher.publishToUser(user, 'notif.sync', { n: 2 })).id;
    await fresh.close();

    const resumed = await connect(gateway.url, `user_id=${user}&since=${first}`);
    await waitFor(() => resumed.frames.length === 2, 'the missed event and replay.done');
    const live = (await publisher.publishToUser(user, 'notif.sync', { n: 3 })).id;
    await waitFor(() => resumed.frames.length === 3, 'the live event');
    expect(resumed.frames.map((frame) => frame.id ?? frame.type)).toEqual([second, 'replay.done', live]);
    expect(resumed.frames[1]).toEqual({ type: 'replay.done', last_id: second });
    await resumed.close();

    const upToDate = await connect(gateway.url, `user_id=${user}&since=${live}`);
    await waitFor(() => upToDate.frames.length === 1, 'replay.done');
    expect(upToDate.frames).toEqual([{ type: 'replay.done', last_id: live }]);
    await upToDate.close();
  });

  it('streams live events of the user only', async () => {
    const user = uniqueId('ws');
    const client = await connect(gateway.url, `user_id=${user}`);
    await publisher.publishToUser(user, 'notif.sync', { n: 1 });
    await publisher.publishToUser(uniqueId('other'), 'notif.sync', { n: 2 });
    await publisher.publishToUser(user, 'notif.job_updated', { n: 3 });
    await waitFor(() => client.received.length === 2, 'two live events');
    expect(client.received.map((event) => event.payload)).toEqual([{ n: 1 }, { n: 3 }]);
    await client.close();
  });

  it('resumes from `since`: a reconnecting client gets every missed event once, in order, then live ones', async () => {
    const user = uniqueId('ws');
    const first = await connect(gateway.url, `user_id=${user}`);
    for (let n = 0; n < 3; n++) await publisher.publishToUser(user, 'task.progress_update', { n });
    await waitFor(() => first.received.length === 3, 'three live events');
    const lastSeen = first.received[2].id;
    await first.close();

    for (let n = 3; n < 8; n++) await publisher.publishToUser(user, 'task.progress_update', { n });

    const second = await connect(gateway.url, `user_id=${user}&since=${lastSeen}`);
    // Published while the replay may still be running: must arrive once, after the missed ones.
    const during = Array.from({ length: 5 }, (_unused, i) => publisher.publishToUser(user, 'task.progress_update', { n: 8 + i }));
    await Promise.all(during);
    await waitFor(() => second.received.length >= 10, 'missed and live events', 5000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(second.received.map((event) => (event.payload as { n: number }).n)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('websocket_connections 1');
    await second.close();
  });

  it('ignores foreign messages on a user channel and survives connection resets before the upgrade', async () => {
    const user = uniqueId('ws');
    const client = await connect(gateway.url, `user_id=${user}`);
    const redis = gateway.app.get(RedisConnections).command;
    for (const junk of ['{"type":"x"}', '{"id":"3f2a-uuid","type":"msg.new"}', 'null', 'not json', '{"ok":true,"data":1}']) await redis.publish(`user:${user}`, junk);
    // A client that resets its socket right after asking to upgrade, without a token.
    await new Promise<void>((resolve) => {
      const socket = new Socket();
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.connect(Number(new URL(gateway.url).port), '127.0.0.1', () => {
        socket.write('GET /ws/events?user_id=x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
        socket.resetAndDestroy();
      });
    });
    await publisher.publishToUser(user, 'notif.sync', { n: 'real' });
    await waitFor(() => client.received.length === 1, 'the real event');
    expect(client.received[0].payload).toEqual({ n: 'real' });
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    await client.close();
  });

  it('shutting down with clients connected closes them (1001) instead of hanging', async () => {
    const own = await startGateway(testConfig());
    const client = await connect(own.url, `user_id=${uniqueId('ws')}`);
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    const started = Date.now();
    await own.close();
    expect(await closed).toBe(1001);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('accepts the token as a query parameter for clients that cannot set headers', async () => {
    const client = await connect(gateway.url, `user_id=${uniqueId('ws')}&token=${TEST_SERVICE_TOKEN}`, {});
    await client.close();
  });
});
