import { Module } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { TasksModule } from '@suite/tasks';
import { AnswerStops } from './answer-stops';
import { ChatAnswerStreamer } from './chat-answer-streamer';
import { LlmConversationRunner } from './llm-conversation-runner';
import { LlmConversations } from './llm-conversations';
import { LlmRequestQuota } from './llm-request-quota';
import { LlmService } from './llm.service';
import { MODEL_PROVIDER } from './model-provider';
import { OpenAiModelProvider } from './openai-model-provider';

/** Model calls, conversations and streamed chat answers (needs Config, Redis, Firebase). */
@Module({
  imports: [TasksModule],
  providers: [
    { provide: MODEL_PROVIDER, inject: [AppConfig], useFactory: (config: AppConfig) => new OpenAiModelProvider(config) },
    LlmRequestQuota,
    LlmService,
    LlmConversations,
    LlmConversationRunner,
    ChatAnswerStreamer,
    AnswerStops,
  ],
  exports: [MODEL_PROVIDER, LlmRequestQuota, LlmService, LlmConversations, LlmConversationRunner, ChatAnswerStreamer, AnswerStops],
})
export class LlmModule {}
