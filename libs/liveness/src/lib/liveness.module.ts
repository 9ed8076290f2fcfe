import { DynamicModule, Global, Module } from '@nestjs/common';
import { InstanceIdentity } from './instance-identity';
import { LivenessService } from './liveness.service';

/** Names this app instance and keeps its liveness beat (needs ConfigModule and RedisModule). */
@Global()
@Module({})
export class LivenessModule {
  static forApp(app: string): DynamicModule {
    const providers = [{ provide: InstanceIdentity, useValue: new InstanceIdentity(app) }, LivenessService];
    return { module: LivenessModule, providers, exports: providers };
  }
}
