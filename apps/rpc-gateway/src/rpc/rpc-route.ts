import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RpcDispatcher } from '@suite/rpc-server';
import type { FastifyInstance } from 'fastify';

/**
 * `POST /rpc`, registered straight on Fastify: the dispatcher does auth, validation and error
 * mapping itself, so the call skips Nest's per-route pipeline (it is the hot path). Body parsing
 * errors (malformed JSON, too large) are answered by the envelope exception filter.
 */
@Injectable()
export class RpcRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly dispatcher: RpcDispatcher,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.post('/rpc', async (request, reply) => {
      const answer = await this.dispatcher.handle({
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body: request.body,
      });
      void reply.status(answer.status).headers(answer.headers).type('application/json; charset=utf-8');
      return reply.send(answer.body);
    });
  }
}
