import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { IdempotencyStore } from './idempotency-store';
import { MethodRegistry } from './method-registry';
import { RateLimiter } from './rate-limiter';
import { RpcDispatcher } from './rpc-dispatcher';
import { ServiceToken } from './service-token';

/** The RPC pipeline; handler classes are found among the app's providers (needs Config, Redis, Metrics). */
@Module({
  imports: [DiscoveryModule],
  providers: [MethodRegistry, RateLimiter, IdempotencyStore, RpcDispatcher, ServiceToken],
  exports: [MethodRegistry, RpcDispatcher, ServiceToken],
})
export class RpcServerModule {}
