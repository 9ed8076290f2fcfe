import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Healthz, HealthService } from './health.service';

@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Public: the load balancer's and ECS's health check. 503 while Redis is unreachable. */
  @Get('healthz')
  async healthz(@Res({ passthrough: true }) reply: FastifyReply): Promise<Healthz> {
    const body = await this.health.healthz();
    reply.status(body.redis === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }
}
