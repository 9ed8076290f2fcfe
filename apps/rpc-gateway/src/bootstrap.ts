import { bootstrapHttpApp } from '@suite/bootstrap';
import { GatewayModule } from './gateway.module';

export function bootstrap() {
  return bootstrapHttpApp({ app: 'rpc-gateway', module: GatewayModule.register, required: ['LISTENERS_SERVICE_TOKEN'] });
}
