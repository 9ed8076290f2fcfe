import { testRedisClient, TestRedis, uniqueId } from '@suite/testing';
import { RedisScript } from './redis-script';

const INCREMENT_BY = new RedisScript('test_increment_by', `return redis.call('INCRBY', KEYS[1], ARGV[1])`);

describe('RedisScript against a real Redis (single node or cluster)', () => {
  let client: TestRedis;

  beforeAll(() => {
    client = testRedisClient();
  });

  afterAll(async () => {
    await client.quit();
  });

  it('runs with its keys and arguments, and again after the server forgot every script', async () => {
    const key = uniqueId('script');
    expect(await INCREMENT_BY.run(client, [key], [2])).toBe(2);
    expect(await INCREMENT_BY.run(client, [key], [3])).toBe(5);
    const nodes = 'nodes' in client ? client.nodes('master') : [client];
    await Promise.all(nodes.map((node) => node.script('FLUSH')));
    expect(await INCREMENT_BY.run(client, [key], [4])).toBe(9);
  });

  it('refuses a second, different script under the same name', () => {
    expect(() => new RedisScript('test_increment_by', 'return 0')).toThrow(/two different Lua scripts/);
    expect(() => new RedisScript('test_increment_by', `return redis.call('INCRBY', KEYS[1], ARGV[1])`)).not.toThrow();
  });
});
