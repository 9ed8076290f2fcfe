export { ChatHistoryModule } from './lib/chat-history.module';
export { ChatHistoryStore } from './lib/chat-history.store';
export type { ChatThreadRef } from './lib/chat-history.store';
export { ChatHistoryInputError } from './lib/chat-history.errors';
export { CHAT_ROLES } from './lib/chat-history.types';
export type {
  AppendOutcome,
  ChatHistory,
  ChatMessage,
  ChatMessageInput,
  ChatRole,
  ChatStats,
  ChatSummary,
  ContextWindow,
  JsonValue,
} from './lib/chat-history.types';
export { countTextTokens, messageTokens, MESSAGE_OVERHEAD_TOKENS, REPLY_PRIMING_TOKENS } from './lib/token-count';
