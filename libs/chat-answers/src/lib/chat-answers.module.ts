import { Module } from '@nestjs/common';
import { ChatHistoryModule } from '@suite/chat-history';
import { EventsModule } from '@suite/events';
import { LlmModule } from '@suite/llm';
import { QueuesModule } from '@suite/queues';
import { ChatAnswerWriter } from './chat-answer-writer';
import { ChatMessageSender } from './chat-message-sender';

/**
 * `LLM.send_message` / `stop_message`: the sender (gateway) and the writer (task-worker, `llm`
 * queue). Needs ConfigModule, RedisModule and FirebaseModule.
 */
@Module({
  imports: [ChatHistoryModule, EventsModule, LlmModule, QueuesModule],
  providers: [ChatMessageSender, ChatAnswerWriter],
  exports: [ChatMessageSender, ChatAnswerWriter],
})
export class ChatAnswersModule {}
