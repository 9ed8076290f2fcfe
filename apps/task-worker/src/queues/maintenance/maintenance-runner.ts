import { Injectable, Logger } from '@nestjs/common';
import { MAINTENANCE_JOBS } from '@suite/job-contracts';
import { RegistryMaintenance } from '@suite/registry';
import { Job, UnrecoverableError } from 'bullmq';

/** Runs the `maintenance` queue's jobs (they have no task record). */
@Injectable()
export class MaintenanceRunner {
  private readonly logger = new Logger('Maintenance');

  constructor(private readonly registry: RegistryMaintenance) {}

  async run(job: Job): Promise<unknown> {
    if (job.name !== MAINTENANCE_JOBS.registry_cleanup) throw new UnrecoverableError(`unknown maintenance job "${job.name}"`);
    const report = await this.registry.cleanupExpiredEntries();
    this.logger.log({ event: 'registry_cleanup', job_id: job.id, ...report });
    return report;
  }
}
