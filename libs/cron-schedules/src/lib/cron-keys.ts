import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { buildCronClockKey, buildCronDueKey, buildCronInflightKey, buildCronPlansKey, buildCronScheduleKey, buildCronUserSchedulesKey } from '@suite/redis-namespaces';

/** The keys of this instance's schedule keyspace (CRON_KEYSPACE): one hash tag for all of them. */
@Injectable()
export class CronKeys {
  readonly keyspace: string;
  readonly due: string;
  readonly inflight: string;
  readonly plans: string;
  readonly clock: string;

  constructor(config: AppConfig) {
    this.keyspace = config.CRON_KEYSPACE;
    this.due = buildCronDueKey(this.keyspace);
    this.inflight = buildCronInflightKey(this.keyspace);
    this.plans = buildCronPlansKey(this.keyspace);
    this.clock = buildCronClockKey(this.keyspace);
  }

  schedule(scheduleId: string): string {
    return buildCronScheduleKey(this.keyspace, scheduleId);
  }

  userSchedules(userId: string): string {
    return buildCronUserSchedulesKey(this.keyspace, userId);
  }
}
