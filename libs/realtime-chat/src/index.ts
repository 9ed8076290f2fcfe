export { RealtimeChatModule } from './lib/realtime-chat.module';
export { RealtimeChat, DEFAULT_MESSAGES_LIMIT, MAX_MESSAGES_LIMIT } from './lib/realtime-chat';
export type { ChatMessage } from './lib/realtime-chat';
export { RealtimeInputError, RealtimeUnavailableError, checkKey, threadMessagesPath, directMessagesPath } from './lib/realtime-paths';
