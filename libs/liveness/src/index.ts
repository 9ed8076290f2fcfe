export { LivenessModule } from './lib/liveness.module';
export { LivenessService, listLiveInstances } from './lib/liveness.service';
export type { LiveInstance } from './lib/liveness.service';
export { InstanceIdentity } from './lib/instance-identity';
