import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { EventPublisher } from '@suite/events';
import { Database, Firestore, FIRESTORE, REALTIME_DATABASE } from '@suite/firebase';
import { RealtimeChat } from '@suite/realtime-chat';
import { asError } from '@suite/logging';
import { execChecked, RedisConnections } from '@suite/redis';
import {
  buildWorkflowInstanceStatsKey,
  PRESENCE_WINDOW_SECONDS,
  REGISTRY_PRESENCE_KEY,
  WORKFLOW_INSTANCES_KEY,
  WORKFLOW_WATCHED_KEY,
} from '@suite/redis-namespaces';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { UserWatch } from './user-watch';
import { UserLease, WorkflowLeases } from './workflow-leases';

export interface FleetInstanceState {
  enabled: boolean;
  token: string;
  users: string[];
  /** Firestore listeners attached (two per user when all is well). */
  listeners: number;
  cache_entries: number;
}

/** Acquisitions tried at once during a reconcile. */
const ACQUIRE_BATCH = 100;

/**
 * This instance's share of the workflow listener fleet. Users come from "watch"/"unwatch" control
 * messages and from a periodic reconcile with the registry's presence set (which heals a lost
 * message). Each user is watched by the one instance holding its lease (owner token + fence),
 * renewed at every reconcile; a lease lost stops that user's listeners, and a dead instance's
 * users are picked up by the others once its leases expire. A watchdog re-subscribes listeners
 * that failed or stayed silent for WORKFLOW_WATCHDOG_SILENCE_MS.
 */
@Injectable()
export class WorkflowFleet implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WorkflowListener');
  /** Owner token of this instance's leases. */
  readonly token = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly watches = new Map<string, UserWatch>();
  private readonly acquiring = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private reconciling?: Promise<void>;
  private statePublishTimer?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisConnections,
    private readonly leases: WorkflowLeases,
    private readonly publisher: EventPublisher,
    @Inject(FIRESTORE) private readonly firestore: Firestore,
    @Inject(REALTIME_DATABASE) private readonly database: Database,
    private readonly chat: RealtimeChat,
  ) {}

  /** Realtime Database feeds are followed only where a database is configured (a URL or the emulator). */
  private get realtimeConfigured(): boolean {
    return Boolean(this.config.FIREBASE_DATABASE_URL || this.config.FIREBASE_DATABASE_EMULATOR_HOST);
  }

  get enabled(): boolean {
    return this.config.WORKFLOW_LISTENER_ENABLED;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) {
      this.logger.log({ event: 'workflow_listener_disabled' });
      return;
    }
    const watchdogEveryMs = Math.max(250, Math.min(this.config.WORKFLOW_WATCHDOG_SILENCE_MS / 4, 30_000));
    this.timers = [
      setInterval(() => void this.reconcile(), this.config.WORKFLOW_RECONCILE_INTERVAL_MS),
      setInterval(() => this.watchdog(), watchdogEveryMs),
    ];
    void this.reconcile();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.statePublishTimer);
    await this.reconciling;
    // Hand the users over at once rather than after the lease TTL: their caches stay for the next owner.
    await Promise.all([...this.watches.values()].map((watch) => this.drop(watch, { release: true, dropCache: false })));
    await this.redis.command.zrem(WORKFLOW_INSTANCES_KEY, this.token).catch(() => undefined);
  }

  /** Control message "watch user X": take the user if it is online and no instance holds it. */
  async watchRequested(userId: string): Promise<void> {
    if (!this.enabled || this.closing || this.watches.has(userId)) return;
    if (!(await this.isOnline(userId))) return;
    await this.tryAcquire(userId);
  }

  /** Control message "unwatch user X": stop if this instance watches the user and the user is offline. */
  async unwatchRequested(userId: string): Promise<void> {
    const watch = this.watches.get(userId);
    if (!watch || (await this.isOnline(userId))) return;
    await this.drop(watch, { release: true, dropCache: true });
  }

  /** Control message "threads of user X changed" (watch_thread / unwatch_thread). */
  threadsChanged(userId: string): void {
    this.watches.get(userId)?.syncFeeds();
  }

  state(): FleetInstanceState {
    let listeners = 0;
    let cacheEntries = 0;
    for (const watch of this.watches.values()) {
      listeners += watch.attachedListeners;
      cacheEntries += watch.cacheEntries;
    }
    return { enabled: this.enabled, token: this.token, users: [...this.watches.keys()].sort(), listeners, cache_entries: cacheEntries };
  }

  /** The watch of a user held here (tests and the bench look inside). */
  watchOf(userId: string): UserWatch | undefined {
    return this.watches.get(userId);
  }

  /** Renews leases, watches online users no one holds, drops offline ones, publishes this instance's counters. */
  reconcile(): Promise<void> {
    if (!this.enabled || this.closing) return Promise.resolve();
    if (this.reconciling) return this.reconciling;
    this.reconciling = this.reconcileOnce()
      .catch((error: unknown) => this.logger.error({ event: 'workflow_listener_error', stage: 'reconcile', err: asError(error) }))
      .finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const now = Date.now();
    await Promise.all([...this.watches.values()].map((watch) => this.renew(watch)));
    for (const watch of this.watches.values()) watch.syncFeeds();
    const online = new Set(await this.redis.command.zrangebyscore(REGISTRY_PRESENCE_KEY, now - PRESENCE_WINDOW_SECONDS * 1000, '+inf'));
    const offline = [...this.watches.values()].filter((watch) => !online.has(watch.userId));
    await Promise.all(offline.map((watch) => this.drop(watch, { release: true, dropCache: true })));
    const candidates = [...online].filter((userId) => !this.watches.has(userId));
    for (let index = 0; index < candidates.length && !this.closing; index += ACQUIRE_BATCH) {
      await Promise.all(candidates.slice(index, index + ACQUIRE_BATCH).map((userId) => this.tryAcquire(userId)));
    }
    await this.publishState();
  }

  private async renew(watch: UserWatch): Promise<void> {
    const renewed = await this.leases.renew(watch.lease).catch(() => undefined);
    if (renewed === false) {
      this.logger.warn({ event: 'workflow_lease_lost', user_id: watch.userId, fence: watch.lease.fence });
      await this.drop(watch, { release: false, dropCache: false });
    }
  }

  private async tryAcquire(userId: string): Promise<void> {
    if (!this.enabled || this.watches.has(userId) || this.acquiring.has(userId) || this.closing) return;
    if (this.watches.size + this.acquiring.size >= this.config.WORKFLOW_MAX_USERS_PER_INSTANCE) return;
    this.acquiring.add(userId);
    try {
      const lease = await this.leases.acquire(userId, this.token);
      if (!lease || this.closing) {
        if (lease) await this.leases.release(lease, false);
        return;
      }
      await this.start(lease);
    } catch (error) {
      this.logger.error({ event: 'workflow_listener_error', stage: 'acquire', user_id: userId, err: asError(error) });
    } finally {
      this.acquiring.delete(userId);
    }
  }

  private async start(lease: UserLease): Promise<void> {
    const watch = new UserWatch(lease, {
      firestore: this.firestore,
      leases: this.leases,
      publisher: this.publisher,
      logger: this.logger,
      onLeaseLost: (userId) => {
        if (this.watches.get(userId) === watch) this.watches.delete(userId);
        this.scheduleStatePublish();
      },
      onAttached: () => this.scheduleStatePublish(),
      database: this.realtimeConfigured ? this.database : undefined,
      watchedThreads: () => this.chat.watchedThreads(lease.userId),
    });
    this.watches.set(lease.userId, watch);
    await this.redis.command.zadd(WORKFLOW_WATCHED_KEY, Date.now() + this.config.WORKFLOW_LEASE_TTL_MS, lease.userId);
    try {
      await watch.start();
    } catch (error) {
      await this.drop(watch, { release: true, dropCache: false });
      throw error;
    }
  }

  private async drop(watch: UserWatch, how: { release: boolean; dropCache: boolean }): Promise<void> {
    if (this.watches.get(watch.userId) === watch) this.watches.delete(watch.userId);
    watch.stop();
    if (!how.release) return;
    const released = await this.leases.release(watch.lease, how.dropCache).catch(() => false);
    if (released) await this.redis.command.zrem(WORKFLOW_WATCHED_KEY, watch.userId).catch(() => undefined);
    this.logger.log({ event: 'workflow_listener_stop', user_id: watch.userId, released, offline: how.dropCache });
    this.scheduleStatePublish();
  }

  /** Counters follow changes between reconciles too (batched: at most one write per 100 ms). */
  private scheduleStatePublish(): void {
    if (this.statePublishTimer || this.closing) return;
    this.statePublishTimer = setTimeout(() => {
      this.statePublishTimer = undefined;
      this.publishState().catch((error: unknown) => this.logger.warn({ event: 'workflow_state_publish_failed', err: asError(error) }));
    }, 100);
  }

  private watchdog(): void {
    const now = Date.now();
    for (const watch of this.watches.values()) {
      for (const collection of watch.unhealthy(now, this.config.WORKFLOW_WATCHDOG_SILENCE_MS)) {
        watch.resubscribe(collection, 'error or silence');
      }
    }
  }

  private async isOnline(userId: string): Promise<boolean> {
    const score = await this.redis.command.zscore(REGISTRY_PRESENCE_KEY, userId);
    return score !== null && Number(score) >= Date.now() - PRESENCE_WINDOW_SECONDS * 1000;
  }

  /** Counters for /healthz and /debug: a stats hash per instance and the watched set, both expiring with the leases. */
  private async publishState(): Promise<void> {
    const state = this.state();
    const expiresAt = Date.now() + this.config.WORKFLOW_LEASE_TTL_MS;
    const statsKey = buildWorkflowInstanceStatsKey(this.token);
    await Promise.all([
      execChecked(
        this.redis.command
          .multi()
          .hset(statsKey, { users: state.users.length, listeners: state.listeners, cache_entries: state.cache_entries })
          .pexpire(statsKey, this.config.WORKFLOW_LEASE_TTL_MS),
      ),
      this.redis.command.zadd(WORKFLOW_INSTANCES_KEY, expiresAt, this.token),
      this.redis.command.zremrangebyscore(WORKFLOW_INSTANCES_KEY, '-inf', Date.now()),
      this.redis.command.zremrangebyscore(WORKFLOW_WATCHED_KEY, '-inf', Date.now() - this.config.WORKFLOW_LEASE_TTL_MS),
      state.users.length > 0 ? this.redis.command.zadd(WORKFLOW_WATCHED_KEY, ...state.users.flatMap((userId) => [expiresAt, userId])) : Promise.resolve(0),
    ]);
  }
}
