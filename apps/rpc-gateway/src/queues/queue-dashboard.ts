import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TaskQueues } from '@suite/queues';
import { ServiceToken } from '@suite/rpc-server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const QUEUE_DASHBOARD_PATH = '/queues';

/**
 * The queue dashboard (bull-board, Flower's replacement) at /queues, behind the service token:
 * `Authorization: Bearer <token>`, or HTTP Basic with the token as password so a browser can log in.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queues: TaskQueues,
    private readonly token: ServiceToken,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const board = new BullBoardFastifyAdapter();
    board.setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({ queues: this.queues.all().map((queue) => new BullMQAdapter(queue)), serverAdapter: board });
    void fastify.register(async (scope) => {
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        if (this.authorized(request.headers.authorization)) return;
        await reply
          .status(401)
          .header('www-authenticate', 'Basic realm="queues", charset="UTF-8"')
          .type('application/json; charset=utf-8')
          .send({ ok: false, error: { code: 'UNAUTHORIZED', message: 'missing or invalid token' } });
      });
      await scope.register(board.registerPlugin());
    }, { prefix: QUEUE_DASHBOARD_PATH });
  }

  private authorized(header: string | undefined): boolean {
    if (!header) return false;
    if (header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
      return this.token.verifyToken(decoded.slice(decoded.indexOf(':') + 1));
    }
    return this.token.verifyHeader(header);
  }
}
