import { LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter, FASTIFY_APP_OPTIONS } from '@suite/bootstrap';
import { AppConfig } from '@suite/config';
import { GatewayModule } from '../gateway.module';

export interface GatewayTestApp {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}

/** Boots the real gateway module, as main.ts does, on a free loopback port. */
export async function startGateway(
  config: AppConfig,
  options: { extraHandlers?: Type[]; logger?: LoggerService } = {},
): Promise<GatewayTestApp> {
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register(config, options.extraHandlers ?? []),
    createFastifyAdapter(config),
    { ...FASTIFY_APP_OPTIONS, logger: options.logger ?? false },
  );
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}
