import { Injectable, Logger } from '@nestjs/common';
import { MAINTENANCE_JOBS } from '@suite/job-contracts';
import { RegistryMaintenance } from '@suite/registry';
import { Job, UnrecoverableError } from 'bullmq';

/** Runs the `maintenance` queue's jobs (they have no task record). */
@Injectable()
export class MaintenanceRunner {
  private readonly logger = new Logger('Maintenance');

  private readonly handlers: Record<string, (job: Job) => Promise<unknown>> = {
    [MAINTENANCE_JOBS.registry_cleanup]: (job) => this.registryCleanup(job),
  };

  constructor(private readonly registry: RegistryMaintenance) {}

  /** The maintenance jobs this runner has a handler for (start-up refuses a job without one). */
  get handledJobs(): string[] {
    return Object.keys(this.handlers);
  }

  async run(job: Job): Promise<unknown> {
    const handler = Object.hasOwn(this.handlers, job.name) ? this.handlers[job.name] : undefined;
    if (!handler) throw new UnrecoverableError(`unknown maintenance job "${job.name}"`);
    return handler(job);
  }

  private async registryCleanup(job: Job): Promise<unknown> {
    const report = await this.registry.cleanupExpiredEntries();
    this.logger.log({ event: 'registry_cleanup', job_id: job.id, ...report });
    return report;
  }
}
