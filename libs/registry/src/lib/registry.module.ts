import { Module } from '@nestjs/common';
import { ChromaCollectionRegistry } from './chroma-collection-registry';
import { ChromaRegistrationExpiry } from './chroma-registration-expiry';
import { CompanyQuotasService } from './company-quotas';
import { CompanyRegistry } from './company-registry';
import { PresenceExpiry } from './presence-expiry';
import { PresenceMirror } from './presence-mirror';
import { PresenceRegistry } from './presence-registry';
import { RegistryCountsReader } from './registry-counts';
import { RegistryLog } from './registry-log';
import { RegistryMaintenance } from './registry-maintenance';
import { TaskRegistry } from './task-registry';
import { UnifiedRegistry } from './unified-registry';

const SERVICES = [
  RegistryLog,
  PresenceMirror,
  CompanyQuotasService,
  CompanyRegistry,
  UnifiedRegistry,
  TaskRegistry,
  PresenceRegistry,
  ChromaCollectionRegistry,
  PresenceExpiry,
  ChromaRegistrationExpiry,
  RegistryMaintenance,
  RegistryCountsReader,
];

/** The registries (needs ConfigModule, RedisModule and FirebaseModule). */
@Module({ providers: SERVICES, exports: SERVICES })
export class RegistryModule {}
