import { Global, Module } from '@nestjs/common';
import { RedisConnections } from './redis-connections';

/** Provides the app's Redis connections (needs ConfigModule). */
@Global()
@Module({ providers: [RedisConnections], exports: [RedisConnections] })
export class RedisModule {}
