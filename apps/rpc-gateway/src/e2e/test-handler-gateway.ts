import { testConfig, testRedisClient, TestRedis } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc, RpcHttpResult } from './post-rpc';
import { TestRpcHandler } from './test-rpc-handlers';

export interface TestHandlerGateway {
  readonly gateway: GatewayTestApp;
  /** The TEST.* namespace's instance, to read what the calls did. */
  readonly handler: TestRpcHandler;
  readonly redis: TestRedis;
  call(body: unknown): Promise<RpcHttpResult>;
}

/** A gateway with the TEST.* namespace and a Redis client, for the file's tests (started in beforeAll, closed in afterAll). */
export function useTestHandlerGateway(): TestHandlerGateway {
  let state: { gateway: GatewayTestApp; handler: TestRpcHandler; redis: TestRedis } | undefined;
  const started = () => {
    if (!state) throw new Error('the test gateway is used before its beforeAll ran');
    return state;
  };

  beforeAll(async () => {
    const gateway = await startGateway(testConfig(), { extraHandlers: [TestRpcHandler] });
    state = { gateway, handler: gateway.app.get(TestRpcHandler), redis: testRedisClient() };
  });

  afterAll(async () => {
    state?.redis.disconnect();
    await state?.gateway.close();
  });

  return {
    get gateway() {
      return started().gateway;
    },
    get handler() {
      return started().handler;
    },
    get redis() {
      return started().redis;
    },
    call: (body) => postRpc(started().gateway.url, body),
  };
}
