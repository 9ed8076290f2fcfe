import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { isWorkflowControlMessage, WORKFLOW_CONTROL_PATTERN, WorkflowFleet } from '@suite/workflow-watch';

/** Receives "watch user X" / "unwatch user X" from the gateway (@nestjs/microservices Redis transport). */
@Controller()
export class WorkflowControlController {
  private readonly logger = new Logger('WorkflowControl');

  constructor(private readonly fleet: WorkflowFleet) {}

  @EventPattern(WORKFLOW_CONTROL_PATTERN)
  async onControl(@Payload() message: unknown): Promise<void> {
    if (!isWorkflowControlMessage(message)) {
      this.logger.warn({ event: 'workflow_control_invalid' });
      return;
    }
    this.logger.debug({ event: 'workflow_control', action: message.action, user_id: message.user_id });
    if (message.action === 'watch') await this.fleet.watchRequested(message.user_id);
    else if (message.action === 'unwatch') await this.fleet.unwatchRequested(message.user_id);
    else this.fleet.threadsChanged(message.user_id);
  }
}
