import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { RedisClient, RedisConnections } from '@suite/redis';
import { buildChatHistoryKey, buildChatIndexKey, isSafeKeyPart, RedisTTL } from '@suite/redis-namespaces';
import { randomUUID } from 'node:crypto';
import { ChatHistoryInputError } from './chat-history.errors';
import { ChatHistoryMetrics } from './chat-history.metrics';
import {
  AppendOutcome,
  CHAT_ROLES,
  ChatHistory,
  ChatMessage,
  ChatMessageInput,
  ChatStats,
  ChatSummary,
  ContextWindow,
  JsonValue,
} from './chat-history.types';
import { APPEND_MESSAGE_ONCE, APPEND_MESSAGES, CLEAR_MESSAGES, CONTEXT_WINDOW, READ_MESSAGES, SAVE_CHAT, SET_CHAT_FIELDS } from './chat-scripts';
import { countTextTokens, messageTokens, REPLY_PRIMING_TOKENS, systemPromptTokens } from './token-count';

/** A thread of one user in one company. */
export interface ChatThreadRef {
  userId: string;
  companyId: string;
  threadKey: string;
}

const META_PREFIX = 'meta:';
const MESSAGE_PREFIX = 'm:';
const STATUS_PATTERN = /^[\w.-]{1,64}$/;

/**
 * Seed 003's ChatHistoryManager on `chat:{uid}:{cid}:{thread}:history` (24 h, refreshed on every
 * write). One hash per thread with a field per message (`m:<seq>`, seq from a counter in the same
 * hash): an append is one Lua script on that one key (O(1), atomic, ordered, TTL refreshed and
 * trimmed to CHAT_HISTORY_MAX_MESSAGES in the same step); a batch keeps its order. A user's
 * threads are listed from a sorted set beside them (`chat_index:{uid}:{cid}`), never by KEYS.
 */
@Injectable()
export class ChatHistoryStore {
  readonly ttlSeconds = RedisTTL.CHAT_HISTORY;

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
    private readonly metrics: ChatHistoryMetrics,
  ) {}

  private get client(): RedisClient {
    return this.redis.command;
  }

  async appendMessage(thread: ChatThreadRef, message: ChatMessageInput): Promise<ChatMessage> {
    return (await this.appendMessages(thread, [message])).messages[0];
  }

  appendUserMessage(thread: ChatThreadRef, content: string, options: Omit<ChatMessageInput, 'role' | 'content'> = {}): Promise<ChatMessage> {
    return this.appendMessage(thread, { ...options, role: 'user', content });
  }

  appendAssistantMessage(thread: ChatThreadRef, content: string, options: Omit<ChatMessageInput, 'role' | 'content'> = {}): Promise<ChatMessage> {
    return this.appendMessage(thread, { ...options, role: 'assistant', content });
  }

  /** Appends in order, in one atomic step. */
  async appendMessages(thread: ChatThreadRef, inputs: ChatMessageInput[]): Promise<AppendOutcome> {
    if (inputs.length === 0) throw new ChatHistoryInputError('messages', 'must not be empty');
    const key = this.key(thread);
    const messages = inputs.map((input) => this.prepare(input));
    const now = new Date();
    // The index entry goes out with the append (one round trip); it only orders the user's threads.
    const [appended] = await Promise.all([
      APPEND_MESSAGES.run(this.client, [key], [this.ttlSeconds, now.toISOString(), this.config.CHAT_HISTORY_MAX_MESSAGES, ...messages.map(serialize)]),
      this.touchIndex(thread, now),
    ]);
    const [start, count, trimmed] = appended as [number, number, number];
    for (const message of messages) this.metrics.appended.inc({ role: message.role });
    if (trimmed > 0) this.metrics.trimmed.inc(trimmed);
    return { messages: messages.map((message, index) => ({ ...message, seq: start + index })), message_count: count, trimmed };
  }

  /**
   * Appends a message with a caller's id to an existing chat, unless that id was appended this way
   * before (a retried job writing the same answer): exactly one stored message per id. The TTL
   * refresh and the trim happen in the same step. `outcome`: `appended`; `duplicate` (the stored
   * one is kept, `seq` is its seq); `no_chat` (nothing written: the chat was deleted meanwhile).
   */
  async appendMessageOnce(thread: ChatThreadRef, input: ChatMessageInput & { id: string }): Promise<{ seq: number; outcome: 'appended' | 'duplicate' | 'no_chat' }> {
    const key = this.key(thread);
    const message = this.prepare(input);
    const now = new Date();
    const appended = await APPEND_MESSAGE_ONCE.run(this.client, [key], [this.ttlSeconds, now.toISOString(), this.config.CHAT_HISTORY_MAX_MESSAGES, message.id, serialize(message)]);
    if ((appended as number[])[3] !== 2) await this.touchIndex(thread, now);
    const [seq, , trimmed, code] = appended as [number, number, number, number];
    if (code === 0) this.metrics.appended.inc({ role: message.role });
    if (trimmed > 0) this.metrics.trimmed.inc(trimmed);
    return { seq, outcome: code === 0 ? 'appended' : code === 1 ? 'duplicate' : 'no_chat' };
  }

  /** Whether a message of this id was appended once (appendMessageOnce) and not trimmed since. */
  async hasMessageOnce(thread: ChatThreadRef, id: string): Promise<boolean> {
    return (await this.client.hexists(this.key(thread), `once:${id}`)) === 1;
  }

  /** Full save (seed's save_chat_history): replaces the messages, system prompt, status and metadata. */
  async saveChatHistory(
    thread: ChatThreadRef,
    history: { messages: ChatMessageInput[]; system_prompt?: string; status?: string; metadata?: Record<string, JsonValue> },
  ): Promise<AppendOutcome> {
    const key = this.key(thread);
    const messages = history.messages.map((input) => this.prepare(input));
    const fields = [
      ...this.systemPromptFields(history.system_prompt ?? ''),
      ...(history.status === undefined ? [] : this.statusFields(history.status)),
      ...metadataFields(history.metadata ?? {}),
    ];
    const now = new Date();
    const [start, count, trimmed] = (await SAVE_CHAT.run(this.client, [key], [
      this.ttlSeconds,
      now.toISOString(),
      this.config.CHAT_HISTORY_MAX_MESSAGES,
      fields.length,
      ...fields.flat(),
      ...messages.map(serialize),
    ])) as [number, number, number];
    await this.touchIndex(thread, now);
    return { messages: messages.map((message, index) => ({ ...message, seq: start + index })), message_count: count, trimmed };
  }

  async loadChatHistory(thread: ChatThreadRef): Promise<ChatHistory | null> {
    const hash = await this.client.hgetall(this.key(thread));
    if (hash['created_at'] === undefined) return null;
    const messages: ChatMessage[] = [];
    const metadata: Record<string, JsonValue> = {};
    for (const [field, value] of Object.entries(hash)) {
      if (field.startsWith(MESSAGE_PREFIX)) messages.push(deserialize(Number(field.slice(MESSAGE_PREFIX.length)), value));
      else if (field.startsWith(META_PREFIX)) metadata[field.slice(META_PREFIX.length)] = JSON.parse(value) as JsonValue;
    }
    messages.sort((a, b) => a.seq - b.seq);
    return {
      thread_key: thread.threadKey,
      messages,
      system_prompt: hash['system_prompt'] ?? '',
      metadata,
      status: hash['status'] ?? 'active',
      message_count: Number(hash['message_count'] ?? messages.length),
      created_at: hash['created_at'],
      updated_at: hash['updated_at'] ?? hash['created_at'],
      version: hash['version'] ?? '',
    };
  }

  /** The newest `limit` messages (all by default), oldest first. */
  async getMessages(thread: ChatThreadRef, limit = 0): Promise<ChatMessage[]> {
    const flat = (await READ_MESSAGES.run(this.client, [this.key(thread)], [Math.max(0, Math.floor(limit))])) as Array<number | string> | null;
    return pairs(flat ?? []).map(([seq, raw]) => deserialize(seq, raw));
  }

  /** Creates the chat (status active, no system prompt) if it does not exist; says whether it did. */
  async ensureChat(thread: ChatThreadRef): Promise<{ created: boolean }> {
    return { created: (await this.setFields(thread, [])) === 1 };
  }

  async updateSystemPrompt(thread: ChatThreadRef, systemPrompt: string): Promise<void> {
    await this.setFields(thread, this.systemPromptFields(systemPrompt));
  }

  async updateStatus(thread: ChatThreadRef, status: string): Promise<void> {
    await this.setFields(thread, this.statusFields(status));
  }

  /** Merges `metadata` into the chat's metadata, entry by entry (concurrent updates of other entries are kept). */
  async updateMetadata(thread: ChatThreadRef, metadata: Record<string, JsonValue>): Promise<void> {
    await this.setFields(thread, metadataFields(metadata));
  }

  /** Drops every message and keeps the system prompt; returns how many were dropped (null when there is no chat). */
  async clearMessages(thread: ChatThreadRef): Promise<number | null> {
    const now = new Date();
    const cleared = (await CLEAR_MESSAGES.run(this.client, [this.key(thread)], [this.ttlSeconds, now.toISOString()])) as number;
    if (cleared === -1) return null;
    await this.touchIndex(thread, now);
    return cleared;
  }

  async deleteChatHistory(thread: ChatThreadRef): Promise<boolean> {
    const [deleted] = await Promise.all([
      this.client.del(this.key(thread)),
      this.client.zrem(buildChatIndexKey(thread.userId, thread.companyId), thread.threadKey),
    ]);
    return deleted === 1;
  }

  async getMessageCount(thread: ChatThreadRef): Promise<number> {
    return Number((await this.client.hget(this.key(thread), 'message_count')) ?? 0);
  }

  async chatExists(thread: ChatThreadRef): Promise<boolean> {
    return (await this.client.exists(this.key(thread))) === 1;
  }

  /** A user's threads in a company, newest write first. */
  async listUserChats(userId: string, companyId: string): Promise<ChatSummary[]> {
    const index = buildChatIndexKey(this.checkPart('user_id', userId), this.checkPart('company_id', companyId));
    await this.client.zremrangebyscore(index, '-inf', Date.now() - this.ttlSeconds * 1000);
    const threads = await this.client.zrevrange(index, 0, -1);
    const rows = await Promise.all(
      threads.map((threadKey) => this.client.hmget(buildChatHistoryKey(userId, companyId, threadKey), 'message_count', 'status', 'updated_at')),
    );
    const summaries: ChatSummary[] = [];
    const gone: string[] = [];
    threads.forEach((threadKey, index) => {
      const [count, status, updatedAt] = rows[index];
      if (updatedAt === null) gone.push(threadKey);
      else summaries.push({ thread_key: threadKey, message_count: Number(count ?? 0), status: status ?? 'active', updated_at: updatedAt });
    });
    if (gone.length > 0) await this.client.zrem(index, ...gone);
    return summaries;
  }

  async getChatStats(userId: string, companyId: string): Promise<ChatStats> {
    const chats = await this.listUserChats(userId, companyId);
    const byStatus: Record<string, number> = {};
    for (const chat of chats) byStatus[chat.status] = (byStatus[chat.status] ?? 0) + 1;
    return { total_chats: chats.length, total_messages: chats.reduce((sum, chat) => sum + chat.message_count, 0), chats_by_status: byStatus };
  }

  /** Tokens the whole stored chat costs as a prompt (system prompt, every message, reply priming); 0 without a chat. */
  async estimateTokenCount(thread: ChatThreadRef): Promise<number> {
    const [system, messages] = await this.client.hmget(this.key(thread), 'system_prompt_tokens', 'message_tokens');
    if (system === null) return 0;
    return Number(system) + Number(messages ?? 0) + REPLY_PRIMING_TOKENS;
  }

  /** Tokens of a text in o200k_base. */
  countTokens(text: string): number {
    return countTextTokens(text);
  }

  /**
   * The newest messages that fit `budget` tokens with the system prompt (always kept) and the reply
   * priming, oldest first; with `throughSeq`, the messages up to that one (what the chat held when
   * it was written). The stored history is not changed. Null when there is no chat.
   */
  async contextWindow(thread: ChatThreadRef, budget: number, throughSeq = 0): Promise<ContextWindow | null> {
    if (!Number.isInteger(budget) || budget < 0) throw new ChatHistoryInputError('budget', 'must be a non-negative integer');
    const reply = (await CONTEXT_WINDOW.run(this.client, [this.key(thread)], [budget - REPLY_PRIMING_TOKENS, throughSeq])) as Array<number | string> | null;
    if (!reply) return null;
    const [systemPrompt, systemTokens, stored, ...rest] = reply;
    const messages = pairs(rest)
      .map(([seq, raw]) => deserialize(seq, raw))
      .reverse();
    const messageTokensTotal = messages.reduce((sum, message) => sum + message.tokens, 0);
    return {
      system_prompt: String(systemPrompt),
      messages,
      total_tokens: Number(systemTokens) + messageTokensTotal + REPLY_PRIMING_TOKENS,
      omitted_messages: Number(stored) - messages.length,
    };
  }

  private async setFields(thread: ChatThreadRef, fields: Array<[string, string]>): Promise<number> {
    const now = new Date();
    const created = (await SET_CHAT_FIELDS.run(this.client, [this.key(thread)], [this.ttlSeconds, now.toISOString(), ...fields.flat()])) as number;
    await this.touchIndex(thread, now);
    return created;
  }

  private systemPromptFields(systemPrompt: string): Array<[string, string]> {
    if (typeof systemPrompt !== 'string') throw new ChatHistoryInputError('system_prompt', 'must be a string');
    if (systemPrompt.length > this.config.CHAT_MESSAGE_MAX_CHARS) {
      throw new ChatHistoryInputError('system_prompt', `must be at most ${this.config.CHAT_MESSAGE_MAX_CHARS} characters`);
    }
    return [
      ['system_prompt', systemPrompt],
      ['system_prompt_tokens', String(systemPromptTokens(systemPrompt))],
    ];
  }

  private statusFields(status: string): Array<[string, string]> {
    if (!STATUS_PATTERN.test(status)) throw new ChatHistoryInputError('status', 'must be 1-64 letters, digits, _ . -');
    return [['status', status]];
  }

  private prepare(input: ChatMessageInput): Omit<ChatMessage, 'seq'> {
    if (!(CHAT_ROLES as readonly string[]).includes(input.role)) throw new ChatHistoryInputError('role', `must be one of ${CHAT_ROLES.join(', ')}`);
    if (typeof input.content !== 'string' || input.content.trim().length === 0) throw new ChatHistoryInputError('message', 'must not be empty');
    if (input.content.length > this.config.CHAT_MESSAGE_MAX_CHARS) {
      throw new ChatHistoryInputError('message', `must be at most ${this.config.CHAT_MESSAGE_MAX_CHARS} characters (got ${input.content.length})`);
    }
    if (input.id !== undefined && !isSafeKeyPart(input.id)) throw new ChatHistoryInputError('message_id', 'must be 1-256 characters without ":", braces or whitespace');
    const message: Omit<ChatMessage, 'seq'> = {
      tokens: messageTokens(input.content),
      id: input.id ?? randomUUID(),
      role: input.role,
      content: input.content,
      timestamp: (input.timestamp ?? new Date()).toISOString(),
    };
    if (input.metadata !== undefined) message.metadata = input.metadata;
    return message;
  }

  private async touchIndex(thread: ChatThreadRef, at: Date): Promise<void> {
    await this.client.zadd(buildChatIndexKey(thread.userId, thread.companyId), at.getTime(), thread.threadKey);
  }

  private key(thread: ChatThreadRef): string {
    return buildChatHistoryKey(
      this.checkPart('user_id', thread.userId),
      this.checkPart('company_id', thread.companyId),
      this.checkPart('thread_key', thread.threadKey),
    );
  }

  private checkPart(parameter: string, value: string): string {
    if (typeof value !== 'string' || !isSafeKeyPart(value)) {
      throw new ChatHistoryInputError(parameter, 'must be 1-256 characters without ":", braces, whitespace or glob characters');
    }
    return value;
  }
}

function metadataFields(metadata: Record<string, JsonValue>): Array<[string, string]> {
  return Object.entries(metadata).map(([name, value]) => [`${META_PREFIX}${name}`, JSON.stringify(value)]);
}

/** `tokens` first: the scripts read it with a pattern anchored at the start. */
function serialize(message: Omit<ChatMessage, 'seq'>): string {
  const { tokens, ...rest } = message;
  return JSON.stringify({ tokens, ...rest });
}

function deserialize(seq: number, raw: string): ChatMessage {
  const stored = JSON.parse(raw) as Omit<ChatMessage, 'seq'>;
  return { id: stored.id, seq, role: stored.role, content: stored.content, timestamp: stored.timestamp, tokens: stored.tokens, ...(stored.metadata ? { metadata: stored.metadata } : {}) };
}

function pairs(flat: Array<number | string>): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (let index = 0; index + 1 < flat.length; index += 2) out.push([Number(flat[index]), String(flat[index + 1])]);
  return out;
}
