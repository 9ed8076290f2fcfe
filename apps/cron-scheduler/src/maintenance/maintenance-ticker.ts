import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@suite/config';
import { MAINTENANCE_JOBS, maintenanceJobId } from '@suite/job-contracts';
import { asError } from '@suite/logging';
import { Queue } from 'bullmq';

const INTERVAL_NAME = 'maintenance';

/**
 * Queues registry maintenance on the `maintenance` queue every MAINTENANCE_INTERVAL_MS (an
 * interval of @nestjs/schedule, cleared by it on shutdown). The job id is the tick's window, so
 * two scheduler instances queue one job per tick; a task worker runs it.
 */
@Injectable()
export class MaintenanceTicker implements OnApplicationBootstrap {
  private readonly logger = new Logger('MaintenanceTicker');

  constructor(
    private readonly config: AppConfig,
    @InjectQueue('maintenance') private readonly queue: Queue,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.addInterval(INTERVAL_NAME, setInterval(() => void this.tick(), this.config.MAINTENANCE_INTERVAL_MS));
    void this.tick();
  }

  async tick(now = Date.now()): Promise<void> {
    const interval = this.config.MAINTENANCE_INTERVAL_MS;
    const window = Math.floor(now / interval) * interval;
    try {
      await this.queue.add(MAINTENANCE_JOBS.registry_cleanup, { window }, {
        jobId: maintenanceJobId('registry_cleanup', window),
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 86_400 },
      });
    } catch (error) {
      this.logger.warn({ event: 'maintenance_tick_failed', error: asError(error).message });
    }
  }
}
