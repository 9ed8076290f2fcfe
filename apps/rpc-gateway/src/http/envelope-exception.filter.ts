import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { asError } from '@suite/logging';
import { RpcError, RpcErrorCode } from '@suite/rpc-contract';
import { answerWithError } from '@suite/rpc-server';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';

function codeForStatus(status: number): RpcErrorCode {
  if (status === 401 || status === 403) return 'UNAUTHORIZED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'UNAVAILABLE';
  if (status >= 400 && status < 500) return 'INVALID_ARGS';
  return 'INTERNAL';
}

function describe(status: number, error: unknown, bodyLimitBytes: number): string {
  if (status === 413) return `the request body is larger than the limit of ${bodyLimitBytes} bytes (RPC_BODY_LIMIT_BYTES)`;
  if (status === 415) return 'the request body must be JSON (Content-Type: application/json)';
  if (status === 404) return 'no such route';
  if (status === 401 || status === 403) return 'missing or invalid bearer token';
  if (status >= 400 && status < 500) {
    const message = error instanceof Error ? error.message : '';
    if (/JSON|Unexpected|token|position/i.test(message)) return 'the request body is not valid JSON';
    if (/empty/i.test(message)) return 'the request body is empty';
    return 'the request is malformed';
  }
  return 'internal error';
}

/**
 * Every error that reaches Nest or Fastify's error handling (body parsing, unknown routes, guards,
 * anything unexpected) is answered in the `{ok: false, error}` envelope, without internals.
 */
@Catch()
@Injectable()
export class EnvelopeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  constructor(private readonly config: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status =
      exception instanceof HttpException
        ? exception.getStatus()
        : typeof (exception as { statusCode?: unknown })?.statusCode === 'number'
          ? (exception as { statusCode: number }).statusCode
          : 500;
    if (status >= 500) this.logger.error({ event: 'http_unexpected_error', err: asError(exception) });
    const answer = answerWithError(new RpcError(codeForStatus(status), describe(status, exception, this.config.RPC_BODY_LIMIT_BYTES)), { 'x-trace-id': randomUUID() });
    void reply.status(status === 415 ? 400 : status).headers(answer.headers).type('application/json; charset=utf-8').send(answer.body);
  }
}
