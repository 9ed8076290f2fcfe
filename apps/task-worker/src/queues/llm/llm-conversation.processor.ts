import { Injectable } from '@nestjs/common';
import { LlmConversationPayload, LlmConversationResult, TaskJobData, TaskType } from '@suite/job-contracts';
import { LlmConversationRunner } from '@suite/llm';
import { ProcessingContext, TaskProcessor } from '../../processing/task-processor';

/** `llm_conversation` on the `llm` queue: seed 000's `process_llm_conversation` (libs/llm does the work). */
@Injectable()
export class LlmConversationProcessor implements TaskProcessor<LlmConversationPayload, LlmConversationResult> {
  readonly type: TaskType = 'llm_conversation';

  constructor(private readonly conversations: LlmConversationRunner) {}

  process(job: TaskJobData<LlmConversationPayload>, context: ProcessingContext): Promise<LlmConversationResult> {
    return this.conversations.run(job, context);
  }
}
