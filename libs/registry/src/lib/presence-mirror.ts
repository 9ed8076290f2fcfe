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

/** How a lapsed presence was mirrored: written offline, left online (the user came back), or not written (Firestore failed). */
export type LapseOutcome = 'offline' | 'heartbeat_raced' | 'failed';

/** A heartbeat is mirrored at most this often per user: well within the 90 s presence window. */
const HEARTBEAT_MIRROR_INTERVAL_MS = 30_000;
/** A write still unanswered after this is logged and no longer waited for (the SDK may go on retrying). */
const WRITE_TIMEOUT_MS = 10_000;
const SHUTDOWN_WAIT_MS = 5000;

/**
 * Mirrors presence to Firestore `listeners_registry/{uid}` (the seed's presence registry) in the
 * background: Redis stays the source of truth, and a Firestore failure or slowness never fails or
 * slows the Redis call. Status changes are always written; heartbeats at most every 30 s a user.
 * A presence that lapsed (maintenance's `presence_expiry`) is written offline in a transaction that
 * its caller awaits (`markLapsed`).
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

  /**
   * Mirrors a presence that lapsed (no heartbeat since `lastHeartbeatAt`) as `offline`, as a logout
   * does, unless `stillLapsed` answers false (a heartbeat or login came back). The check runs inside
   * a Firestore transaction, after the document is read: the "online" write of a heartbeat that lands
   * after the check is ordered after this one, so it wins. Awaited by maintenance; never throws.
   */
  async markLapsed(userId: string, lastHeartbeatAt: Date, stillLapsed: () => Promise<boolean>): Promise<LapseOutcome> {
    // The user's next heartbeat through this instance turns it online again: it must not be skipped as a repeat.
    this.lastHeartbeatWrite.delete(userId);
    const document = this.firestore.collection('listeners_registry').doc(userId);
    const transaction = this.firestore.runTransaction(async (transaction): Promise<LapseOutcome> => {
      const current = (await transaction.get(document)).data() as Partial<PresenceDocument> | undefined;
      if (!(await stillLapsed())) return 'heartbeat_raced';
      if (current?.status !== 'offline') {
        const offline: PresenceDocument = { status: 'offline', heartbeat_at: lastHeartbeatAt.toISOString(), ttl_seconds: PRESENCE_WINDOW_SECONDS };
        transaction.set(document, offline, { merge: true });
      }
      return 'offline';
    });
    const outcome = withTimeout(transaction).catch((error: unknown): LapseOutcome => {
      this.log.warn('presence_mirror_failed', { user_id: userId, status: 'offline', error: asError(error).message });
      return 'failed';
    });
    const settled = outcome.then(() => undefined);
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
    return outcome;
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
    const write = withTimeout(this.firestore.collection('listeners_registry').doc(userId).set(document, { merge: true }))
      .then(() => undefined)
      .catch((error: unknown) => this.log.warn('presence_mirror_failed', { user_id: userId, error: asError(error).message }));
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }
}

/** Rejects when `operation` gives no answer within WRITE_TIMEOUT_MS (the SDK may go on retrying it). */
function withTimeout<T>(operation: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${WRITE_TIMEOUT_MS} ms`)), WRITE_TIMEOUT_MS);
  });
  return Promise.race([operation, timedOut]).finally(() => clearTimeout(timer));
}
