import { Logger } from '@nestjs/common';
import { EventPublisher, UserEventDraft } from '@suite/events';
import { Database, Firestore } from '@suite/firebase';
import { documentToJson, JsonObject } from '@suite/firestore-documents';
import { asError } from '@suite/logging';
import type { QuerySnapshot } from 'firebase-admin/firestore';
import { RealtimeFeeds } from './realtime-feeds';
import { stableStringify } from './stable-json';
import { diffTaskState, STEP_STATUS_FIELD, TaskState, taskStateOf } from './workflow-diff';
import { UserLease, WorkflowLeases } from './workflow-leases';

export const WATCHED_COLLECTIONS = ['task_manager', 'notifications'] as const;
export type WatchedCollection = (typeof WATCHED_COLLECTIONS)[number];

interface ListenerState {
  unsubscribe?: () => void;
  /** Snapshots received by the current subscription (0: not attached yet). */
  snapshots: number;
  lastActivityAt: number;
  error?: Error;
  subscriptions: number;
}

export interface UserWatchDeps {
  firestore: Firestore;
  leases: WorkflowLeases;
  publisher: EventPublisher;
  logger: Logger;
  /** Called when a commit finds the lease gone: the fleet forgets the user (another instance owns it). */
  onLeaseLost: (userId: string) => void;
  /** Called when a listener attaches (its first snapshot), so the fleet's counters follow. */
  onAttached: () => void;
  /** The Realtime Database, when configured: direct messages and watched threads are followed too. */
  database?: Database;
  watchedThreads: () => Promise<Array<[string, string]>>;
}

const MAX_CONFLICT_RETRIES = 3;

/**
 * The two Firestore listeners of one user (`clients/{uid}/task_manager` and `…/notifications`).
 * Each document change is compared with the user's cache (loaded from Redis, written back by the
 * fenced commit) and only what changed is published. Changes are handled one at a time per user.
 */
export class UserWatch {
  private cache = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly feeds?: RealtimeFeeds;
  private readonly listeners: Record<WatchedCollection, ListenerState> = {
    task_manager: { snapshots: 0, lastActivityAt: Date.now(), subscriptions: 0 },
    notifications: { snapshots: 0, lastActivityAt: Date.now(), subscriptions: 0 },
  };

  constructor(
    readonly lease: UserLease,
    private readonly deps: UserWatchDeps,
  ) {
    if (deps.database) {
      this.feeds = new RealtimeFeeds(lease, {
        database: deps.database,
        leases: deps.leases,
        publisher: deps.publisher,
        logger: deps.logger,
        watchedThreads: deps.watchedThreads,
        enqueue: (step) => this.enqueue(step),
        onStale: () => this.leaseLost(),
      });
    }
  }

  /** Realtime Database feeds followed (direct messages and watched threads). */
  get feedCount(): number {
    return this.feeds?.count ?? 0;
  }

  /** Follows the threads the user watches now (after watch_thread / unwatch_thread, and at each reconcile). */
  syncFeeds(): void {
    this.feeds?.sync();
  }

  get userId(): string {
    return this.lease.userId;
  }

  /** Firestore listeners that delivered their first snapshot and have not failed since. */
  get attachedListeners(): number {
    return WATCHED_COLLECTIONS.filter((name) => this.listeners[name].snapshots > 0 && !this.listeners[name].error).length;
  }

  get cacheEntries(): number {
    return this.cache.size;
  }

  /** Total subscriptions made (the first ones and each watchdog re-subscription). */
  get subscriptionCount(): number {
    return this.listeners.task_manager.subscriptions + this.listeners.notifications.subscriptions;
  }

  async start(): Promise<void> {
    this.deps.logger.log({ event: 'workflow_listener_start', user_id: this.userId, fence: this.lease.fence });
    this.cache = new Map(Object.entries(await this.deps.leases.loadCache(this.userId)));
    for (const collection of WATCHED_COLLECTIONS) this.subscribe(collection);
    this.syncFeeds();
  }

  stop(): void {
    this.stopped = true;
    this.feeds?.stop();
    for (const collection of WATCHED_COLLECTIONS) this.listeners[collection].unsubscribe?.();
  }

  /** Listeners in error, or silent for longer than `silenceMs`. */
  unhealthy(now: number, silenceMs: number): WatchedCollection[] {
    return WATCHED_COLLECTIONS.filter((name) => this.listeners[name].error !== undefined || now - this.listeners[name].lastActivityAt > silenceMs);
  }

  /** Drops and re-opens one listener; its first snapshot is compared with the Redis cache, so nothing is lost or repeated. */
  resubscribe(collection: WatchedCollection, reason: string): void {
    if (this.stopped) return;
    this.deps.logger.log({ event: 'workflow_listener_resubscribe', user_id: this.userId, collection, reason });
    this.listeners[collection].unsubscribe?.();
    this.enqueue(async () => {
      // Start again from what the cache holds (another step may have changed it meanwhile).
      const fresh = await this.deps.leases.loadCache(this.userId);
      for (const field of [...this.cache.keys()]) if (field.startsWith(`${collection}/`)) this.cache.delete(field);
      for (const [field, value] of Object.entries(fresh)) if (field.startsWith(`${collection}/`)) this.cache.set(field, value);
    });
    this.enqueue(async () => this.subscribe(collection));
  }

  private subscribe(collection: WatchedCollection): void {
    if (this.stopped) return;
    const state = this.listeners[collection];
    state.snapshots = 0;
    state.error = undefined;
    state.lastActivityAt = Date.now();
    state.subscriptions += 1;
    state.unsubscribe = this.deps.firestore.collection(`clients/${this.userId}/${collection}`).onSnapshot(
      (snapshot) => {
        state.lastActivityAt = Date.now();
        const first = state.snapshots === 0;
        state.snapshots += 1;
        if (first) {
          this.deps.logger.log({ event: 'workflow_listener_attached', user_id: this.userId, collection, documents: snapshot.size });
          this.deps.onAttached();
        }
        this.enqueue(() => this.handleSnapshot(collection, snapshot, first));
      },
      (error) => {
        state.error = error;
        this.deps.logger.error({ event: 'workflow_listener_error', user_id: this.userId, collection, err: asError(error) });
      },
    );
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.stopped) return;
      try {
        await step();
      } catch (error) {
        this.deps.logger.error({ event: 'workflow_listener_error', user_id: this.userId, err: asError(error) });
      }
    });
  }

  private async handleSnapshot(collection: WatchedCollection, snapshot: QuerySnapshot, first: boolean): Promise<void> {
    for (const change of snapshot.docChanges()) {
      const field = `${collection}/${change.doc.id}`;
      if (change.type === 'removed') await this.commit(field, undefined, () => []);
      else await this.handleDocument(collection, change.doc.id, documentToJson(change.doc.data()) ?? {});
      if (this.stopped) return;
    }
    if (first) {
      // Documents deleted while nobody listened: forget them.
      const present = new Set(snapshot.docs.map((document) => `${collection}/${document.id}`));
      for (const field of [...this.cache.keys()]) {
        if (field.startsWith(`${collection}/`) && !present.has(field)) await this.commit(field, undefined, () => []);
      }
    }
  }

  private async handleDocument(collection: WatchedCollection, documentId: string, document: JsonObject): Promise<void> {
    const field = `${collection}/${documentId}`;
    if (collection === 'task_manager') {
      const state = taskStateOf(document);
      await this.commit(field, stableStringify(state), (previous) => this.taskEvents(documentId, previous, state));
    } else {
      await this.commit(field, stableStringify(document), () => [this.notificationEvent(documentId, document)]);
    }
  }

  /**
   * Writes `next` for `field` with the events `eventsFor(previous)` describes, unless nothing
   * changed. A first sight (no previous value) only seeds the cache. On a conflict (the Redis
   * entry is not what we compared against) the entry is read again and the comparison redone.
   */
  private async commit(field: string, next: string | undefined, eventsFor: (previous: string) => UserEventDraft[]): Promise<void> {
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt += 1) {
      const previous = this.cache.get(field);
      if (previous === next) return;
      const events = previous === undefined || next === undefined ? [] : eventsFor(previous);
      const outcome = await this.deps.leases.commit(this.lease, { field, expected: previous, next, events });
      if (outcome.status === 'committed') {
        if (next === undefined) this.cache.delete(field);
        else this.cache.set(field, next);
        return;
      }
      if (outcome.status === 'stale') {
        this.leaseLost();
        return;
      }
      const current = await this.deps.leases.loadCacheEntry(this.userId, field);
      if (current === null) this.cache.delete(field);
      else this.cache.set(field, current);
    }
    throw new Error(`cache entry ${field} kept changing under the listener`);
  }

  private leaseLost(): void {
    if (this.stopped) return;
    this.deps.logger.warn({ event: 'workflow_lease_lost', user_id: this.userId, fence: this.lease.fence });
    this.stop();
    this.deps.onLeaseLost(this.userId);
  }

  private taskEvents(jobId: string, previousJson: string, next: TaskState): UserEventDraft[] {
    const changes = diffTaskState(JSON.parse(previousJson) as TaskState, next);
    const events: UserEventDraft[] = [];
    const invoiceFields = Object.keys(changes.invoice);
    const steps = Object.keys(changes.steps);
    if (invoiceFields.length > 0) {
      this.deps.logger.log({ event: 'workflow_invoice_changes', user_id: this.userId, job_id: jobId, fields: invoiceFields });
      events.push(this.deps.publisher.draftUserEvent(this.userId, 'workflow.invoice_update', { invoice_changes: changes.invoice }, { job_id: jobId }));
    }
    if (steps.length > 0) {
      this.deps.logger.log({ event: 'workflow_step_changes', user_id: this.userId, job_id: jobId, steps });
      events.push(this.deps.publisher.draftUserEvent(this.userId, 'workflow.step_update', { step_changes: { [STEP_STATUS_FIELD]: changes.steps } }, { job_id: jobId }));
    }
    return events;
  }

  private notificationEvent(documentId: string, document: JsonObject): UserEventDraft {
    const jobId = typeof document['job_id'] === 'string' ? document['job_id'] : documentId;
    return this.deps.publisher.draftUserEvent(
      this.userId,
      'notif.job_updated',
      { ...document, job_id: jobId, collection_path: `clients/${this.userId}/notifications` },
      { job_id: documentId },
    );
  }
}
