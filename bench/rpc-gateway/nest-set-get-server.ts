/**
 * Reference point between bare Fastify and the gateway: a plain NestJS 11 + Fastify app with one
 * controller doing one Redis SET and one GET (ioredis) per call, through Nest's normal route
 * pipeline, no logger. Run in its own process by the rpc-gateway bench.
 */
import 'reflect-metadata';
import { Controller, Get, HttpCode, Inject, Module, OnApplicationShutdown, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';

const REDIS = 'REDIS';

@Controller()
class RpcController {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  @Post('rpc')
  @HttpCode(200)
  async rpc(): Promise<{ ok: true; data: { pong: boolean } }> {
    await this.redis.set('bench:nest-set-get', 'pong');
    const value = await this.redis.get('bench:nest-set-get');
    return { ok: true, data: { pong: value === 'pong' } };
  }

  @Get('healthz')
  healthz(): { ok: true } {
    return { ok: true };
  }
}

@Module({
  controllers: [RpcController],
  providers: [
    {
      provide: REDIS,
      useFactory: () => new Redis({ host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT) }),
    },
  ],
})
class BenchModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit();
  }
}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(BenchModule, new FastifyAdapter(), { logger: false });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
