/** `llm_conversation` jobs (seed 000's `process_llm_conversation`): one model call, task id `llm_<conversation_id>`. */
export interface LlmConversationPayload {
  conversation_id: string;
  prompt: string;
  model: string;
  temperature: number;
}

/** What a finished conversation task returns (its task record's `result`). */
export interface LlmConversationResult {
  conversation_id: string;
  response: string;
  tokens_used: number;
  model: string;
}

/** The payload of `llm.conversation_update` (seed 000's `_publish_llm_progress`). */
export interface LlmConversationUpdateEvent {
  conversation_id: string;
  status: 'started' | 'calling_llm' | 'processing_response' | 'completed' | 'failed';
  progress: number;
  data: Record<string, unknown>;
}

/** The payload of `llm.conversation_complete` (SPEC §5). */
export interface LlmConversationCompleteEvent {
  conversation_id: string;
  response: string;
  tokens_used: number;
}

/** The payload of `chat.message` while an answer streams, then once when it is whole (SPEC §5). */
export type ChatMessageEvent =
  | { message_id: string; role: 'assistant'; delta: string; index: number; is_final: false }
  | {
      message_id: string;
      role: 'assistant';
      content: string;
      is_final: true;
      tokens_used: number;
      /** `stop`, `length`, `stopped` (stopped by the user) or `error`. */
      finish_reason?: string;
      /** Why the answer ended early, when finish_reason is `error`. */
      error?: { code: string; message: string; retry_after_ms?: number };
    };

/** BullMQ job name of a chat answer (`LLM.send_message`) on the `llm` queue; it has no task record. */
export const CHAT_ANSWER_JOB = 'chat_answer';

/** One assistant answer to write into a thread: streamed as `chat.message` events, then stored once. */
export interface ChatAnswerJobData {
  user_id: string;
  company_id: string;
  thread_key: string;
  /** The assistant message's id: every event of the answer and the stored message carry it. */
  message_id: string;
  /** The user message it answers, and its seq: the model sees the thread up to that message. */
  user_message_id: string;
  user_message_seq: number;
  model: string;
  temperature?: number;
  trace_id?: string;
}

/** One job per answer: a repeated add of the same answer is a no-op (BullMQ refuses ":" in custom ids). */
export function chatAnswerJobId(messageId: string): string {
  return `chat_${messageId}`;
}
