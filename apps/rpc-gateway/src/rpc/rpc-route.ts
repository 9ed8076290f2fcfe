import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RpcDispatcher } from '@suite/rpc-server';
import type { FastifyInstance } from 'fastify';
import { EndOfTurnSender } from './end-of-turn-sender';

/**
 * `POST /rpc`, registered straight on Fastify: the dispatcher does auth, validation and error
 * mapping itself, so the call skips Nest's per-route pipeline (it is the hot path). Body parsing
 * errors (malformed JSON, too large) are answered by the envelope exception filter. Answers are
 * written at the end of the event-loop turn, together with the others of that turn (EndOfTurnSender).
 */
@Injectable()
export class RpcRoute implements OnModuleInit {
  private readonly logger = new Logger('RpcRoute');
  private readonly replies = new EndOfTurnSender((error) =>
    this.logger.error({ event: 'rpc_reply_failed', err: error instanceof Error ? error : new Error(String(error)) }),
  );

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly dispatcher: RpcDispatcher,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Not an async handler: Fastify would chain one more promise per call onto the one we return.
    fastify.post('/rpc', (request, reply) => {
      void this.dispatcher
        .handle({ authorization: request.headers.authorization, contentType: request.headers['content-type'], body: request.body })
        .then(
          (answer) =>
            this.replies.send(() => reply.status(answer.status).headers(answer.headers).type('application/json; charset=utf-8').send(answer.body)),
          (error: unknown) => reply.send(error),
        );
    });
  }
}
