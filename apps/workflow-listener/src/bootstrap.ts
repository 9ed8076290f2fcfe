import { bootstrapWorkerApp } from '@suite/bootstrap';
import { WorkflowListenerModule } from './workflow-listener.module';

export function bootstrap() {
  return bootstrapWorkerApp({ app: 'workflow-listener', module: WorkflowListenerModule.register });
}
