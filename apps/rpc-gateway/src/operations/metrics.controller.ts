import { Controller, Get, Header, Res } from '@nestjs/common';
import { MetricsService } from '@suite/metrics';
import type { FastifyReply } from 'fastify';

@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus scrape endpoint (keep it reachable from the VPC only). */
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    await reply.type(contentType).send(body);
  }
}
