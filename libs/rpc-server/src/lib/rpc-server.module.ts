import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MethodRegistry } from './method-registry';
import { IdempotencyStore } from './pipeline/idempotency-store';
import { RateLimiter } from './pipeline/rate-limiter';
import { RpcDispatcher } from './pipeline/rpc-dispatcher';
import { ServiceToken } from './service-token';

/** The RPC pipeline; handler classes are found among the app's providers (needs Config, Redis, Metrics). */
@Module({
  imports: [DiscoveryModule],
  providers: [MethodRegistry, RateLimiter, IdempotencyStore, RpcDispatcher, ServiceToken],
  exports: [MethodRegistry, RpcDispatcher, ServiceToken],
})
export class RpcServerModule {}
