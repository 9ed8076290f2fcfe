import { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, RequiredSetting } from '@suite/config';
import { createJsonLogger, JsonLogger, NestJsonLogger } from '@suite/logging';
import { loadConfigOrExit } from './load-config-or-exit';
import { installProcessGuards } from './process-guards';

export interface BootstrapOptions {
  /** The app's name, as in logs and liveness records. */
  app: string;
  /** Builds the root module from the validated configuration. */
  module: (config: AppConfig) => DynamicModule;
  /** Variables this app cannot run without. */
  required?: RequiredSetting[];
}

interface Prepared {
  config: AppConfig;
  logger: JsonLogger;
}

function prepare(options: BootstrapOptions): Prepared {
  const config = loadConfigOrExit(options.app, options.required);
  const logger = createJsonLogger({ app: options.app, level: config.LOG_LEVEL });
  return { config, logger };
}

/** The Fastify adapter every HTTP app (and its e2e tests) uses. */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: config.RPC_BODY_LIMIT_BYTES, trustProxy: true, return503OnClosing: true });
}

/**
 * Nest application options for an app on `createFastifyAdapter`. Bodies are parsed by Fastify's own
 * JSON parser: Nest's replacement reads them as buffers and builds a new parser for every request,
 * and its form parser is not wanted (calls are JSON only).
 */
export const FASTIFY_APP_OPTIONS = { bodyParser: false } as const;

/** Starts an HTTP app on Fastify: validated config, JSON logs, shutdown hooks, listening on HOST:PORT. */
export async function bootstrapHttpApp(options: BootstrapOptions): Promise<NestFastifyApplication> {
  const { config, logger } = prepare(options);
  const app = await NestFactory.create<NestFastifyApplication>(options.module(config), createFastifyAdapter(config), {
    ...FASTIFY_APP_OPTIONS,
    logger: new NestJsonLogger(logger),
  });
  installProcessGuards(app, logger, config.SHUTDOWN_GRACE_MS);
  await app.listen(config.PORT, config.HOST);
  logger.info({ event: 'listening', url: await app.getUrl(), version: config.APP_VERSION });
  return app;
}

/** Starts an app without HTTP (a Nest application context): validated config, JSON logs, shutdown hooks. */
export async function bootstrapWorkerApp(options: BootstrapOptions): Promise<INestApplicationContext> {
  const { config, logger } = prepare(options);
  const app = await NestFactory.createApplicationContext(options.module(config), { logger: new NestJsonLogger(logger) });
  installProcessGuards(app, logger, config.SHUTDOWN_GRACE_MS);
  await app.init();
  logger.info({ event: 'started', version: config.APP_VERSION });
  return app;
}
