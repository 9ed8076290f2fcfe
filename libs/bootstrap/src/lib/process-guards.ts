import type { INestApplicationContext } from '@nestjs/common';
import { asError, type JsonLogger } from '@suite/logging';

/**
 * Drains on SIGTERM/SIGINT: closes the app (which runs every module's shutdown hooks: HTTP stops
 * accepting and finishes in-flight requests, workers finish their jobs) and exits 0. If that takes
 * longer than the grace period plus a margin, exits 1 anyway so the orchestrator is never stuck.
 * Also logs rejections that nothing awaited.
 */
export function installProcessGuards(app: INestApplicationContext, logger: JsonLogger, graceMs: number): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ event: 'unhandled_rejection', err: asError(reason) });
  });
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ event: 'shutdown_requested', signal, grace_ms: graceMs });
    setTimeout(() => {
      logger.error({ event: 'shutdown_timeout', grace_ms: graceMs });
      process.exit(1);
    }, graceMs + 5000).unref();
    app.close().then(
      () => {
        logger.info({ event: 'shutdown_complete' });
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ event: 'shutdown_failed', err: asError(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
