import { AppConfig } from '@suite/config';
import { MaintenanceJob } from '@suite/job-contracts';

/** Each maintenance job's interval, from its own setting. */
export function maintenanceIntervals(config: AppConfig): Record<MaintenanceJob, number> {
  return {
    registry_cleanup: config.MAINTENANCE_INTERVAL_MS,
    presence_expiry: config.MAINTENANCE_PRESENCE_INTERVAL_MS,
    chroma_registration_expiry: config.MAINTENANCE_CHROMA_INTERVAL_MS,
    health_summary: config.MAINTENANCE_HEALTH_INTERVAL_MS,
  };
}
