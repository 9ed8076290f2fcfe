import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@suite/config';

/** Logs every registry operation in detail when REGISTRY_DEBUG=true (seed 001's debug switch). */
@Injectable()
export class RegistryLog {
  private readonly logger = new Logger('Registry');

  constructor(private readonly config: AppConfig) {}

  operation(operation: string, details: Record<string, unknown>): void {
    if (this.config.REGISTRY_DEBUG) this.logger.log({ event: 'registry_operation', operation, ...details });
  }

  warn(event: string, details: Record<string, unknown>): void {
    this.logger.warn({ event, ...details });
  }
}
