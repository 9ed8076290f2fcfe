import { Socket } from 'node:net';
import { asError } from '@suite/logging';
import { seededRandom, TEST_SERVICE_TOKEN, testConfig } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';

const REQUESTS = 3000;
const CONCURRENCY = 32;

describe('POST /rpc fuzz: random and malformed bodies and headers', () => {
  let gateway: GatewayTestApp;

  beforeAll(async () => {
    gateway = await startGateway(testConfig({ RPC_RATE_LIMIT_PER_MINUTE: '1000000', RPC_BODY_LIMIT_BYTES: '65536' }));
  });

  afterAll(() => gateway.close());

  it(`answers ${REQUESTS} fuzzed requests without a 5xx, always in the envelope, and stays up`, async () => {
    const seed = Number(process.env['FUZZ_SEED'] ?? 20261121);
    const next = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const text = (max: number) =>
      Array.from({ length: Math.floor(next() * max) }, () => String.fromCharCode(Math.floor(next() * (next() < 0.9 ? 128 : 0xffff)))).join('');
    const value = (depth: number): unknown => {
      const kind = Math.floor(next() * (depth > 3 ? 6 : 9));
      switch (kind) {
        case 0: return null;
        case 1: return next() < 0.5;
        case 2: return Math.floor(next() * 2e9) - 1e9;
        case 3: return pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER]);
        case 4: return text(40);
        case 5: return pick(['u1', '', ' ', '0-0', '1-1', '9'.repeat(30) + '-1', '__proto__', 'constructor']);
        case 6: return Array.from({ length: Math.floor(next() * 5) }, () => value(depth + 1));
        case 7: return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [pick(['user_id', 'since_id', 'limit', 'x', '__proto__', 'constructor', text(8)]), value(depth + 1)]));
        default: {
          let nested: unknown = 1;
          for (let i = 0; i < 200; i++) nested = next() < 0.5 ? [nested] : { a: nested };
          return nested;
        }
      }
    };
    const methods = ['SYSTEM.ping', 'SYSTEM.describe', 'EVENTS.replay', 'EVENTS.nope', 'NOPE.x', 'SYSTEM.constructor', 'SYSTEM.__proto__', '', '.', 'A.b.c', 'SYSTEM.ping\u0000', 'x'.repeat(300)];
    const body = (): string => {
      const shape = next();
      if (shape < 0.1) return text(200);
      if (shape < 0.2) return JSON.stringify(value(0));
      if (shape < 0.25) return '{"method":"SYSTEM.ping"'.slice(0, Math.floor(next() * 22));
      const envelope: Record<string, unknown> = { method: next() < 0.8 ? pick(methods) : value(0) };
      for (const field of ['args', 'kwargs', 'user_id', 'session_id', 'idempotency_key', 'timeout_ms', 'trace_id', 'reply_to', 'extra']) {
        if (next() < 0.4) envelope[field] = field === 'args' && next() < 0.7 ? Array.from({ length: Math.floor(next() * 4) }, () => value(1)) : value(1);
      }
      if (next() < 0.05) envelope['args'] = ['x'.repeat(70_000)];
      return JSON.stringify(envelope);
    };
    const headers = (): Record<string, string> => {
      const result: Record<string, string> = {};
      const contentType = pick(['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '', 'application/json; charset=latin1']);
      if (contentType) result['content-type'] = contentType;
      const auth = next();
      if (auth < 0.7) result['authorization'] = `Bearer ${TEST_SERVICE_TOKEN}`;
      else if (auth < 0.8) result['authorization'] = `Bearer ${text(30).replace(/[^\x20-\x7e]/g, 'x')}`;
      else if (auth < 0.9) result['authorization'] = pick(['Basic dXNlcjpwYXNz', 'Bearer', 'bearer ' + TEST_SERVICE_TOKEN, '']);
      if (next() < 0.1) result['x-trace-id'] = text(10).replace(/[^\x20-\x7e]/g, 'y');
      return result;
    };

    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let sent = 0;
    const worker = async () => {
      while (sent < REQUESTS) {
        sent += 1;
        const requestBody = body();
        const requestHeaders = headers();
        try {
          const response = await fetch(`${gateway.url}/rpc`, { method: 'POST', headers: requestHeaders, body: requestBody });
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const answer = (await response.json()) as { ok?: unknown };
          if (response.status >= 500 || typeof answer.ok !== 'boolean') failures.push(`${response.status} ${requestBody.slice(0, 120)}`);
        } catch (error) {
          failures.push(`transport ${asError(error).message} ${requestBody.slice(0, 120)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(failures).toEqual([]);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);

    // Garbage below HTTP: the server must shrug it off.
    for (const garbage of ['GARBAGE\r\n\r\n', 'POST /rpc HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n', 'POST /rpc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']) {
      await new Promise<void>((resolve) => {
        const socket = new Socket();
        socket.setTimeout(1000, () => socket.destroy());
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.connect(Number(new URL(gateway.url).port), '127.0.0.1', () => socket.end(garbage));
      });
    }
    const ping = await fetch(`${gateway.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_SERVICE_TOKEN}` },
      body: '{"method":"SYSTEM.ping"}',
    });
    expect(ping.status).toBe(200);
  }, 120_000);
});
