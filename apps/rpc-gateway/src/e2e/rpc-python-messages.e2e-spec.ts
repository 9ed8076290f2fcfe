import { testConfig } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';
import { TestRpcHandler } from './test-rpc-handlers';

interface DescribedMethod {
  method: string;
  params: string[];
  parameters: Array<{ name: string; type: string; required: boolean; choices?: unknown[]; default?: unknown }>;
  returns?: string;
}

describe('POST /rpc: messages and descriptions in the Python caller’s terms', () => {
  let gateway: GatewayTestApp;

  beforeAll(async () => {
    gateway = await startGateway(testConfig({ RPC_BODY_LIMIT_BYTES: '4096' }), { extraHandlers: [TestRpcHandler] });
  });

  afterAll(() => gateway.close());

  const call = (body: unknown) => postRpc(gateway.url, body);

  it('names a missing argument as Python does, not with its length and type clauses', async () => {
    const result = await call({ method: 'REGISTRY.register_user', kwargs: { user_id: 'u1' } });
    expect(result.status).toBe(400);
    expect(result.body.error).toEqual({ code: 'INVALID_ARGS', message: "REGISTRY.register_user: missing required argument 'session_id'" });

    const both = await call({ method: 'TEST.tagged_session', kwargs: { limit: 2 } });
    expect(both.body.error?.message).toBe("TEST.tagged_session: missing required arguments 'session_id', 'tags'");
  });

  it('tells a string given for a list that it must be a list, without a size clause', async () => {
    const result = await call({ method: 'TEST.tagged_session', args: ['s1', 'not-a-list'] });
    expect(result.status).toBe(400);
    expect(result.body.error?.message).toBe('TEST.tagged_session: tags must be a list');
  });

  it('keeps the size and item clauses for a list that is a list', async () => {
    const tooMany = await call({ method: 'TEST.tagged_session', args: ['s1', ['a', 'b', 'c', 'd', 'e', 'f']] });
    expect(tooMany.body.error?.message).toBe('TEST.tagged_session: tags must contain no more than 5 elements');
    const wrongItems = await call({ method: 'TEST.tagged_session', args: ['s1', [1]] });
    expect(wrongItems.body.error?.message).toBe('TEST.tagged_session: each value in tags must be a string');
    const fine = await call({ method: 'TEST.tagged_session', args: ['s1', ['a']] });
    expect(fine.body).toEqual({ ok: true, data: { session_id: 's1', tags: ['a'], limit: 10 } });
  });

  it('names the body limit, in bytes and by its variable, in 413 PAYLOAD_TOO_LARGE', async () => {
    const result = await call({ method: 'TEST.echo', args: ['x'.repeat(10_000)] });
    expect(result.status).toBe(413);
    expect(result.body.error).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than the limit of 4096 bytes (RPC_BODY_LIMIT_BYTES)' });
  });

  it("SYSTEM.describe gives each parameter's type and whether it is required, and what the method returns", async () => {
    const result = await call({ method: 'SYSTEM.describe' });
    const methods = (result.body.data as { methods: DescribedMethod[] }).methods;
    const byName = new Map(methods.map((entry) => [entry.method, entry]));

    expect(byName.get('TEST.echo')).toMatchObject({
      params: ['text', 'times'],
      parameters: [
        { name: 'text', type: 'str', required: true },
        { name: 'times', type: 'int', required: false },
      ],
      returns: expect.stringContaining('"text": str'),
    });
    expect(byName.get('TEST.tagged_session')?.parameters).toEqual([
      { name: 'session_id', type: 'str', required: true },
      { name: 'tags', type: 'list[str]', required: true },
      { name: 'limit', type: 'int', required: false, default: 10 },
    ]);
    expect(byName.get('TEST.throw_value')?.parameters).toEqual([
      { name: 'kind', type: 'str', required: true, choices: ['string', 'undefined', 'number', 'null_prototype'] },
    ]);
    expect(byName.get('SYSTEM.ping')).toMatchObject({ parameters: [], returns: '{"pong": true, "version": str}' });
    expect(byName.get('EVENTS.replay')?.parameters.map(({ name, required }) => [name, required])).toEqual([
      ['user_id', true],
      ['since_id', false],
      ['limit', false],
    ]);
    // Every parameter of every method has a type the DTO states.
    for (const entry of methods) for (const parameter of entry.parameters) expect(parameter.type).not.toBe('any');
  });

  it('SYSTEM.describe says what every method of the product returns', async () => {
    const result = await call({ method: 'SYSTEM.describe' });
    const methods = (result.body.data as { methods: DescribedMethod[] }).methods;
    // TEST.* and FLAGGED.* are the namespaces this file adds; every other one is the product's.
    const product = methods.filter((entry) => !/^(TEST|FLAGGED)\./.test(entry.method));
    expect(product.length).toBeGreaterThanOrEqual(57);
    expect(product.filter((entry) => !entry.returns?.trim()).map((entry) => entry.method)).toEqual([]);
    expect(product.find((entry) => entry.method === 'TASK.cancel_task')?.returns).toBe('{"success": bool, "task_id": str, "status": str}');
  });
});
