export const CHAT_ROLES = ['user', 'assistant', 'system', 'tool'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/** Plain JSON, as metadata is stored. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ChatMessageInput {
  role: ChatRole;
  content: string;
  /** The caller's id for the message (e.g. send_message's message_id); a UUID when absent. */
  id?: string;
  timestamp?: Date;
  metadata?: Record<string, JsonValue>;
}

/** A stored message: `seq` orders a thread's messages (it only grows, across trims and clears). */
export interface ChatMessage {
  id: string;
  seq: number;
  role: ChatRole;
  content: string;
  /** ISO 8601 UTC. */
  timestamp: string;
  /** What the message costs in a prompt (o200k_base, content plus framing). */
  tokens: number;
  metadata?: Record<string, JsonValue>;
}

/** Seed 003's stored chat: messages, system_prompt, metadata, status, message_count, updated_at, version. */
export interface ChatHistory {
  thread_key: string;
  messages: ChatMessage[];
  system_prompt: string;
  metadata: Record<string, JsonValue>;
  status: string;
  message_count: number;
  created_at: string;
  updated_at: string;
  version: string;
}

export interface ChatSummary {
  thread_key: string;
  message_count: number;
  status: string;
  updated_at: string;
}

export interface ChatStats {
  total_chats: number;
  total_messages: number;
  chats_by_status: Record<string, number>;
}

/** What the model gets: the system prompt and the newest messages that fit the budget, oldest first. */
export interface ContextWindow {
  system_prompt: string;
  messages: ChatMessage[];
  /** Tokens of the whole prompt: system prompt, the messages and the reply priming. */
  total_tokens: number;
  /** Stored messages left out because they did not fit. */
  omitted_messages: number;
}

export interface AppendOutcome {
  messages: ChatMessage[];
  message_count: number;
  /** Oldest messages dropped to keep CHAT_HISTORY_MAX_MESSAGES. */
  trimmed: number;
}
