import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { asError } from '@suite/logging';
import { RpcError } from '@suite/rpc-contract';
import { answerWithError, RpcAnswer, RpcDispatcher } from '@suite/rpc-server';
import type { FastifyInstance, FastifyReply } from 'fastify';
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
  private readonly replies = new EndOfTurnSender((error) => this.logger.error({ event: 'rpc_reply_failed', err: asError(error) }));

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly dispatcher: RpcDispatcher,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // A body of any other type reaches the dispatcher unread (within the body limit), so a call is
    // authenticated before its body is judged: 401 first, then INVALID_ARGS for a body that is not JSON.
    fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
    // Not an async handler: Fastify would chain one more promise per call onto one we returned.
    fastify.post('/rpc', (request, reply) => {
      this.dispatcher.handle({ authorization: request.headers.authorization, contentType: request.headers['content-type'], body: request.body }, (answer) =>
        this.replies.send(() => this.write(reply, answer)),
      );
    });
  }

  /** A call whose answer cannot be written still gets an answer: INTERNAL, with its trace id. */
  private write(reply: FastifyReply, answer: RpcAnswer): void {
    try {
      reply.status(answer.status).headers(answer.headers).type(JSON_TYPE).send(answer.body);
    } catch (error) {
      const traceId = answer.headers['x-trace-id'];
      this.logger.error({ event: 'rpc_reply_failed', trace_id: traceId, err: asError(error) });
      if (reply.sent) return;
      const fallback = answerWithError(new RpcError('INTERNAL', `internal error (trace_id ${traceId})`), { 'x-trace-id': traceId });
      reply.status(fallback.status).headers(fallback.headers).type(JSON_TYPE).send(fallback.body);
    }
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';

