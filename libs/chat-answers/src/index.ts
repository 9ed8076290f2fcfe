export { ChatAnswersModule } from './lib/chat-answers.module';
export { ChatMessageSender } from './lib/chat-message-sender';
export type { SendMessageRequest, SendMessageResult, StopMessageResult } from './lib/chat-message-sender';
export { ChatAnswerWriter } from './lib/chat-answer-writer';
export type { ChatAnswerOutcome } from './lib/chat-answer-writer';
