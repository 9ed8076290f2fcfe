export { RedisModule } from './lib/redis.module';
export { RedisConnections } from './lib/redis-connections';
export type { BullmqConnection, RedisClient, RedisHealth } from './lib/redis-connections';
export { reconnectDelayMs } from './lib/redis-options';
export { RedisScript } from './lib/redis-script';
export { isRedisUnavailableError } from './lib/redis-errors';
export { execChecked } from './lib/exec-checked';
export type { MultiResults } from './lib/exec-checked';
