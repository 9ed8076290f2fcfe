import { Injectable, Logger } from '@nestjs/common';
import { MaintenanceJob } from '@suite/job-contracts';
import { ChromaRegistrationExpiry, PresenceExpiry, RegistryMaintenance } from '@suite/registry';
import { Job, UnrecoverableError } from 'bullmq';
import { HealthSummaryJob } from './health-summary';

/**
 * Runs the `maintenance` queue's jobs (they have no task record). Each logs one line named after
 * the job with what it did, and returns the same report as the job's result.
 */
@Injectable()
export class MaintenanceRunner {
  private readonly logger = new Logger('Maintenance');

  private readonly handlers: Record<MaintenanceJob, () => Promise<object>> = {
    registry_cleanup: () => this.registry.removeExpiredIndexEntries(),
    presence_expiry: () => this.presence.expireStalePresence(),
    chroma_registration_expiry: () => this.chroma.removeExpired(),
    health_summary: () => this.health.measureAndStore(),
  };

  constructor(
    private readonly registry: RegistryMaintenance,
    private readonly presence: PresenceExpiry,
    private readonly chroma: ChromaRegistrationExpiry,
    private readonly health: HealthSummaryJob,
  ) {}

  /** The maintenance jobs this runner has a handler for (start-up refuses a job without one). */
  get handledJobs(): string[] {
    return Object.keys(this.handlers);
  }

  async run(job: Job): Promise<unknown> {
    const handler = Object.hasOwn(this.handlers, job.name) ? this.handlers[job.name as MaintenanceJob] : undefined;
    if (!handler) throw new UnrecoverableError(`unknown maintenance job "${job.name}"`);
    const report = await handler();
    this.logger.log({ event: job.name, job_id: job.id, ...report });
    return report;
  }
}
