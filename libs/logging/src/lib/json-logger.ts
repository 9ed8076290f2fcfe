import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import { LogContext } from './log-context';

export type JsonLogger = Logger;

const REDACTED_PATHS = [
  'token',
  'password',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.token',
  '*.password',
  '*.authorization',
  '*.api_key',
  '*.apiKey',
];

/** The JSON-lines logger every app writes with: one object a line, the call's context mixed in, secrets redacted. */
export function createJsonLogger(options: { app: string; level: string; destination?: DestinationStream }): JsonLogger {
  return pino(
    {
      level: options.level,
      base: { app: options.app, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'message',
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => ({ ...LogContext.current() }),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
}

type NestLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Routes Nest's own logging (and `new Logger(ctx).log(...)` in our code) into the JSON logger.
 * A plain object message is logged as fields, so `logger.log({ event: 'rpc_ok', ... })` stays structured.
 */
export class NestJsonLogger implements LoggerService {
  constructor(private readonly logger: JsonLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: NestLogLevel, message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = level === 'error' && typeof rest[0] === 'string' && rest.length > 1 ? rest[0] : undefined;
    if (message instanceof Error) {
      this.logger[level]({ context, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      this.logger[level]({ context, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level]({ context, ...(stack ? { stack } : {}) }, String(message));
    }
  }
}

const LEVEL_ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * Whether lines of `level` are written under the configured level. Hot paths check this once, at
 * construction, because building a log line costs even when the logger then drops it.
 */
export function isLevelEnabled(configured: string, level: 'trace' | 'debug' | 'info' | 'warn'): boolean {
  if (configured === 'silent') return false;
  return LEVEL_ORDER.indexOf(level) >= LEVEL_ORDER.indexOf(configured);
}
