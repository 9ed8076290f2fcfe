import { Logger } from '@nestjs/common';
import { EventPublisher, EventType } from '@suite/events';
import type { Database, DataSnapshot } from '@suite/firebase';
import { JsonObject, toJson } from '@suite/firestore-documents';
import { asError } from '@suite/logging';
import { directMessagesPath, threadMessagesPath } from '@suite/realtime-chat';
import { buildChatChannel, buildMessageChannel } from '@suite/redis-namespaces';
import { randomUUID } from 'node:crypto';
import { UserLease, WorkflowLeases } from './workflow-leases';

/** A Realtime Database list whose new children are published on a channel. */
interface FeedTarget {
  feed: string;
  path: string;
  channel: string;
  type: EventType;
  payload: JsonObject;
}

export interface RealtimeFeedsDeps {
  database: Database;
  leases: WorkflowLeases;
  publisher: EventPublisher;
  logger: Logger;
  /** Threads the user watches, as [space_code, thread_key]. */
  watchedThreads: () => Promise<Array<[string, string]>>;
  /** Runs a step after the user's previous ones (one queue per user). */
  enqueue: (step: () => Promise<void>) => void;
  onStale: () => void;
}

const MAX_CONFLICT_RETRIES = 3;

/**
 * The user's Realtime Database feeds: their direct messages (`msg.new` on `msg:{uid}`) and each
 * thread they watch (`chat.message` on `chat:{uid}:{space_code}:{thread_key}`). A cursor per feed
 * (the last message key delivered, kept in Redis and moved by a fenced script with the publish)
 * makes a new owner or a re-subscription deliver each message once: Realtime Database push keys
 * sort by creation time.
 */
export class RealtimeFeeds {
  private readonly active = new Map<string, () => void>();
  private cursors = new Map<string, string>();
  private loaded = false;

  constructor(
    private readonly lease: UserLease,
    private readonly deps: RealtimeFeedsDeps,
  ) {}

  get count(): number {
    return this.active.size;
  }

  /** Starts the feeds now wanted and stops the others. */
  sync(): void {
    this.deps.enqueue(async () => {
      if (!this.loaded) {
        this.cursors = new Map(Object.entries(await this.deps.leases.loadFeedCursors(this.lease.userId)));
        this.loaded = true;
      }
      const targets = await this.targets();
      const wanted = new Set(targets.map((target) => target.feed));
      for (const [feed, off] of this.active) {
        if (!wanted.has(feed)) {
          off();
          this.active.delete(feed);
        }
      }
      for (const target of targets) if (!this.active.has(target.feed)) await this.start(target);
    });
  }

  stop(): void {
    for (const off of this.active.values()) off();
    this.active.clear();
  }

  private async targets(): Promise<FeedTarget[]> {
    const userId = this.lease.userId;
    const threads = await this.deps.watchedThreads();
    return [
      { feed: 'direct', path: directMessagesPath(userId), channel: buildMessageChannel(userId), type: 'msg.new', payload: {} },
      ...threads.map(([spaceCode, threadKey]) => ({
        feed: `thread/${spaceCode}/${threadKey}`,
        path: threadMessagesPath(spaceCode, threadKey),
        channel: buildChatChannel(userId, spaceCode, threadKey),
        type: 'chat.message' as const,
        payload: { space_code: spaceCode, thread_key: threadKey },
      })),
    ];
  }

  private async start(target: FeedTarget): Promise<void> {
    const reference = this.deps.database.ref(target.path);
    if (!this.cursors.has(target.feed)) {
      // First time followed: start after the newest existing message.
      const last = await reference.orderByKey().limitToLast(1).once('value');
      let newest = '';
      last.forEach((child) => {
        newest = child.key ?? '';
        return false;
      });
      if (!(await this.advance(target, newest))) return;
    }
    const onChild = (child: DataSnapshot) => this.deps.enqueue(() => this.deliver(target, child));
    const onError = (error: Error) => this.deps.logger.error({ event: 'workflow_listener_error', user_id: this.lease.userId, feed: target.feed, err: asError(error) });
    reference.on('child_added', onChild, onError);
    this.active.set(target.feed, () => reference.off('child_added', onChild));
    this.deps.logger.log({ event: 'workflow_listener_attached', user_id: this.lease.userId, feed: target.feed });
  }

  private async deliver(target: FeedTarget, child: DataSnapshot): Promise<void> {
    const key = child.key ?? '';
    if (!this.active.has(target.feed) || key <= (this.cursors.get(target.feed) ?? '')) return;
    const value = toJson(child.val());
    const draft = this.deps.publisher.draftUserEvent(this.lease.userId, target.type, {
      ...(value !== null && typeof value === 'object' && !Array.isArray(value) ? value : { content: value }),
      ...target.payload,
      message_id: key,
    });
    const envelope = { id: randomUUID(), ...draft.envelope };
    await this.advance(target, key, JSON.stringify(envelope));
  }

  /** Moves the feed's cursor to `key` (publishing `message` with it); false when the lease is gone. */
  private async advance(target: FeedTarget, key: string, message?: string): Promise<boolean> {
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt += 1) {
      const expected = this.cursors.get(target.feed);
      if (message !== undefined && key <= (expected ?? '')) return true;
      const outcome = await this.deps.leases.commitToChannel(this.lease, { field: target.feed, expected, next: key, channel: message ? target.channel : undefined, message });
      if (outcome.status === 'committed') {
        this.cursors.set(target.feed, key);
        return true;
      }
      if (outcome.status === 'stale') {
        this.deps.onStale();
        return false;
      }
      const current = await this.deps.leases.loadFeedCursor(this.lease.userId, target.feed);
      if (current === null) this.cursors.delete(target.feed);
      else this.cursors.set(target.feed, current);
    }
    throw new Error(`feed cursor ${target.feed} kept changing under the listener`);
  }
}
