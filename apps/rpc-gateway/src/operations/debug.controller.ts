import { Controller, Get, UseGuards } from '@nestjs/common';
import { ServiceTokenGuard } from '../http/service-token.guard';
import { DebugReport, DebugService } from './debug.service';

@Controller()
export class DebugController {
  constructor(private readonly debug: DebugService) {}

  /** Per-dependency status for operators (SPEC §9). */
  @Get('debug')
  @UseGuards(ServiceTokenGuard)
  report(): Promise<DebugReport> {
    return this.debug.report();
  }
}
