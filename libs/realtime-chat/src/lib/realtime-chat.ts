import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { Database, REALTIME_DATABASE } from '@suite/firebase';
import { checkDocumentData, isPlainObject, JsonObject, toJson } from '@suite/firestore-documents';
import { execChecked, RedisConnections } from '@suite/redis';
import { buildWorkflowThreadsKey } from '@suite/redis-namespaces';
import { ServerValue } from 'firebase-admin/database';
import { checkKey, RealtimeInputError, RealtimeUnavailableError, threadMessagesPath } from './realtime-paths';

export const DEFAULT_MESSAGES_LIMIT = 50;
export const MAX_MESSAGES_LIMIT = 500;
/** How long a watched thread stays registered without being watched again. */
const WATCH_TTL_MS = 24 * 3600 * 1000;

export interface ChatMessage extends JsonObject {
  id: string;
}

/**
 * Seed 002's FirebaseRealtimeChat on the Realtime Database: messages of a thread under
 * `{space_code}/chats/{thread_key}/messages`, each with a server timestamp, and the register of
 * threads a user watches (in Redis; the user's listener instance follows them).
 */
@Injectable()
export class RealtimeChat {
  constructor(
    @Inject(REALTIME_DATABASE) private readonly database: Database,
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
  ) {}

  /** Appends a message (a text, or an object); `sender_id` defaults to `senderId`. */
  async sendMessage(spaceCode: string, threadKey: string, message: unknown, senderId?: string): Promise<{ success: true; message_id: string }> {
    const path = threadMessagesPath(spaceCode, threadKey);
    const body: JsonObject = typeof message === 'string' ? { content: message } : isPlainObject(message) ? { ...(message as JsonObject) } : invalid('message must be a text or a JSON object');
    checkDocumentData('message', body, `${path}/x`);
    if (body['sender_id'] === undefined && senderId) body['sender_id'] = senderId;
    const reference = this.database.ref(path).push();
    const key = reference.key ?? invalid('no key');
    await this.call(() => reference.set({ ...body, timestamp: ServerValue.TIMESTAMP, read: false }), 'write');
    return { success: true, message_id: key };
  }

  /** The last `limit` messages, oldest first, each with its `id`. */
  async getMessages(spaceCode: string, threadKey: string, limit = DEFAULT_MESSAGES_LIMIT): Promise<ChatMessage[]> {
    const path = threadMessagesPath(spaceCode, threadKey);
    const snapshot = await this.call(() => this.database.ref(path).orderByKey().limitToLast(limit).once('value'));
    const messages: ChatMessage[] = [];
    snapshot.forEach((child) => {
      messages.push({ ...(toJson(child.val()) as JsonObject), id: child.key ?? '' });
      return false;
    });
    return messages;
  }

  async markRead(spaceCode: string, threadKey: string, messageId: string): Promise<{ success: boolean }> {
    const reference = this.database.ref(`${threadMessagesPath(spaceCode, threadKey)}/${checkKey('message_id', messageId)}`);
    const exists = await this.call(() => reference.once('value'));
    if (!exists.exists()) return { success: false };
    await this.call(() => reference.update({ read: true, read_at: ServerValue.TIMESTAMP }), 'write');
    return { success: true };
  }

  async deleteMessage(spaceCode: string, threadKey: string, messageId: string): Promise<{ success: true }> {
    const reference = this.database.ref(`${threadMessagesPath(spaceCode, threadKey)}/${checkKey('message_id', messageId)}`);
    await this.call(() => reference.remove(), 'write');
    return { success: true };
  }

  /** Registers the thread as watched by the user (the user's listener instance follows it while the user is online). */
  async watchThread(userId: string, spaceCode: string, threadKey: string): Promise<void> {
    threadMessagesPath(spaceCode, threadKey);
    const key = buildWorkflowThreadsKey(checkKey('user_id', userId));
    await execChecked(this.redis.command.multi().sadd(key, `${spaceCode}/${threadKey}`).pexpire(key, WATCH_TTL_MS));
  }

  async unwatchThread(userId: string, spaceCode: string, threadKey: string): Promise<boolean> {
    threadMessagesPath(spaceCode, threadKey);
    return (await this.redis.command.srem(buildWorkflowThreadsKey(checkKey('user_id', userId)), `${spaceCode}/${threadKey}`)) === 1;
  }

  /** Threads a user watches, as [space_code, thread_key]. */
  async watchedThreads(userId: string): Promise<Array<[string, string]>> {
    const members = await this.redis.command.smembers(buildWorkflowThreadsKey(userId));
    return members.map((member) => member.split('/') as [string, string]);
  }

  /**
   * Bounds an operation by FIREBASE_OPERATION_TIMEOUT_MS. firebase-admin keeps a write it could not
   * send and sends it once it reconnects, so a write that timed out says so: it may still land.
   */
  private async call<T>(operation: () => Promise<T>, kind: 'read' | 'write' = 'read'): Promise<T> {
    const timeoutMs = this.config.FIREBASE_OPERATION_TIMEOUT_MS;
    const reason = `the Realtime Database did not answer within ${timeoutMs} ms${kind === 'write' ? '; the write is kept by this instance and applied if the database comes back while it runs' : ''}`;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new RealtimeUnavailableError(reason, this.config.FIREBASE_RETRY_AFTER_MS, kind === 'write')), timeoutMs);
    });
    try {
      return await Promise.race([operation(), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function invalid(message: string): never {
  throw new RealtimeInputError(message);
}
