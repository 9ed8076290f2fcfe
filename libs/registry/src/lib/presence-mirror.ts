import { Inject, Injectable, BeforeApplicationShutdown } from '@nestjs/common';
import { asError } from '@suite/logging';
import { Firestore, FIRESTORE } from '@suite/firebase';
import { PRESENCE_WINDOW_SECONDS } from '@suite/redis-namespaces';
import { RegistryLog } from './registry-log';

export interface PresenceDocument {
  status: 'online' | 'offline';
  heartbeat_at: string;
  ttl_seconds: number;
  authorized_companies_ids?: string[];
}

/** A heartbeat is mirrored at most this often per user: well within the 90 s presence window. */
const HEARTBEAT_MIRROR_INTERVAL_MS = 30_000;
/** A write still unanswered after this is logged and no longer waited for (the SDK may go on retrying). */
const WRITE_TIMEOUT_MS = 10_000;
const SHUTDOWN_WAIT_MS = 5000;

/**
 * Mirrors presence to Firestore `listeners_registry/{uid}` (the seed's presence registry) in the
 * background: Redis stays the source of truth, and a Firestore failure or slowness never fails or
 * slows the Redis call. Status changes are always written; heartbeats at most every 30 s a user.
 */
@Injectable()
export class PresenceMirror implements BeforeApplicationShutdown {
  private readonly pending = new Set<Promise<void>>();
  private readonly lastHeartbeatWrite = new Map<string, number>();

  constructor(
    @Inject(FIRESTORE) private readonly firestore: Firestore,
    private readonly log: RegistryLog,
  ) {}

  statusChanged(userId: string, status: 'online' | 'offline', authorizedCompanies?: string[]): void {
    this.lastHeartbeatWrite.set(userId, Date.now());
    this.write(userId, {
      status,
      heartbeat_at: new Date().toISOString(),
      ttl_seconds: PRESENCE_WINDOW_SECONDS,
      ...(authorizedCompanies ? { authorized_companies_ids: authorizedCompanies } : {}),
    });
  }

  heartbeat(userId: string): void {
    const now = Date.now();
    if (now - (this.lastHeartbeatWrite.get(userId) ?? 0) < HEARTBEAT_MIRROR_INTERVAL_MS) return;
    this.lastHeartbeatWrite.set(userId, now);
    if (this.lastHeartbeatWrite.size > 100_000) this.lastHeartbeatWrite.clear();
    this.write(userId, { status: 'online', heartbeat_at: new Date(now).toISOString(), ttl_seconds: PRESENCE_WINDOW_SECONDS });
  }

  /** Resolves when every write started so far has finished or timed out, or after `maxWaitMs`. */
  async flush(maxWaitMs = WRITE_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
    await Promise.race([Promise.allSettled([...this.pending]), waited]);
    clearTimeout(timer);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush(SHUTDOWN_WAIT_MS);
  }

  private write(userId: string, document: PresenceDocument): void {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${WRITE_TIMEOUT_MS} ms`)), WRITE_TIMEOUT_MS);
    });
    const write = Promise.race([this.firestore.collection('listeners_registry').doc(userId).set(document, { merge: true }), timedOut])
      .then(() => undefined)
      .catch((error: unknown) => this.log.warn('presence_mirror_failed', { user_id: userId, error: asError(error).message }))
      .finally(() => clearTimeout(timer));
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }
}
