import { findFreePort, startFirebaseDatabaseServer, testConfig, uniqueId, waitFor } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

type DatabaseServer = Awaited<ReturnType<typeof startFirebaseDatabaseServer>>;

/** A Realtime Database of this test's own, stopped and started again on its port. */
describe('FIREBASE_REALTIME.* with the Realtime Database down', () => {
  let port: number;
  let database: DatabaseServer | undefined;
  let gateway: GatewayTestApp;
  const space = uniqueId('space');

  const send = (content: string) => postRpc(gateway.url, { method: 'FIREBASE_REALTIME.send_message', args: [space, 'thread-1', content], user_id: 'u-1' });
  const read = () => postRpc(gateway.url, { method: 'FIREBASE_REALTIME.get_messages', args: [space, 'thread-1'] });

  beforeAll(async () => {
    port = await findFreePort();
    database = await startFirebaseDatabaseServer(port);
    gateway = await startGateway(testConfig({ FIREBASE_DATABASE_EMULATOR_HOST: `127.0.0.1:${port}`, FIREBASE_OPERATION_TIMEOUT_MS: '1500', FIREBASE_RETRY_AFTER_MS: '1234' }));
  });

  afterAll(async () => {
    await gateway?.close();
    await database?.stop();
  });

  it('stopped: UNAVAILABLE with retry_after_ms within FIREBASE_OPERATION_TIMEOUT_MS (a write is TIMEOUT saying it may still land, and it does); started again: the next calls work', async () => {
    expect((await send('before')).body).toMatchObject({ ok: true, data: { success: true } });
    await database?.stop();
    database = undefined;

    const started = Date.now();
    const down = await read();
    expect({ status: down.status, code: down.body.error?.code, retry: down.body.error?.retry_after_ms }).toEqual({ status: 503, code: 'UNAVAILABLE', retry: 1234 });
    expect(Date.now() - started).toBeLessThan(5000);

    const write = await send('during');
    // TIMEOUT, not UNAVAILABLE: the clients retry UNAVAILABLE by themselves, and this write may still land.
    expect(write.body.error).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('the write is kept by this instance') });

    database = await startFirebaseDatabaseServer(port);
    // firebase-admin reconnects by itself, with its own backoff: wait for a call to pass.
    await waitFor(async () => (await send('after')).body.ok === true, 'a message to be sent after the restart', 45_000, 500);
    // The stand-in keeps nothing across its restart; the write refused while it was down did land.
    const contents = ((await read()).body.data as Array<{ content: string }>).map((message) => message.content);
    expect(contents[0]).toBe('during');
    expect(contents).toContain('after');
  }, 60_000);
});
