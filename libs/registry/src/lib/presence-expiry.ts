import { Injectable } from '@nestjs/common';
import { RedisConnections, RedisScript } from '@suite/redis';
import { PRESENCE_WINDOW_SECONDS, REGISTRY_PRESENCE_KEY } from '@suite/redis-namespaces';
import { LapseOutcome, PresenceMirror } from './presence-mirror';
import { RegistryLog } from './registry-log';

/**
 * Takes up to ARGV[2] users whose last heartbeat is older than ARGV[1] (ms) out of the presence set
 * and returns them with their scores. One script: a user is claimed by one caller only, and a
 * heartbeat either lands before (the user is not stale) or after (it puts the user back).
 */
const CLAIM_STALE_PRESENCE = new RedisScript(
  'presence_claim_stale',
  `
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #stale, 2 do redis.call('ZREM', KEYS[1], stale[i]) end
return stale
`,
);

const CLAIM_BATCH = 200;
/** Firestore transactions in flight at once. */
const MIRROR_CONCURRENCY = 16;

export interface PresenceExpiryReport {
  /** Users taken out of presence and mirrored `offline`. */
  users_offline: number;
  /** Users whose heartbeat (or login) came back while they were being expired: left online. */
  heartbeat_raced: number;
  /** Users whose offline mirror failed: put back in presence with their old heartbeat, for the next run. */
  mirror_failed: number;
}

interface StaleUser {
  userId: string;
  lastHeartbeatMs: number;
}

/**
 * Turns offline the users whose last heartbeat is older than the presence window, as a logout
 * would: out of the presence set (so `isOnline`, `list_online_users` and the unified record's
 * `status` say offline) and `offline` in Firestore `listeners_registry/{uid}` through the
 * PresenceMirror. Their records and sessions stay: a later heartbeat makes them online again.
 * Safe on several workers at once (each stale user is claimed by one), and a user who heartbeats
 * meanwhile stays online in both places.
 */
@Injectable()
export class PresenceExpiry {
  constructor(
    private readonly redis: RedisConnections,
    private readonly mirror: PresenceMirror,
    private readonly log: RegistryLog,
  ) {}

  async expireStalePresence(now = Date.now()): Promise<PresenceExpiryReport> {
    const staleBefore = now - PRESENCE_WINDOW_SECONDS * 1000;
    const report: PresenceExpiryReport = { users_offline: 0, heartbeat_raced: 0, mirror_failed: 0 };
    for (;;) {
      const claimed = await this.claim(staleBefore);
      const failedBefore = report.mirror_failed;
      for (let start = 0; start < claimed.length; start += MIRROR_CONCURRENCY) {
        const outcomes = await Promise.all(claimed.slice(start, start + MIRROR_CONCURRENCY).map((user) => this.turnOffline(user)));
        for (const outcome of outcomes) {
          if (outcome === 'offline') report.users_offline += 1;
          else if (outcome === 'heartbeat_raced') report.heartbeat_raced += 1;
          else report.mirror_failed += 1;
        }
      }
      // Users put back after a failed mirror are stale still: claiming again now would loop while Firestore is down.
      if (claimed.length < CLAIM_BATCH || report.mirror_failed > failedBefore) break;
    }
    this.log.operation('presence_expiry', { ...report });
    return report;
  }

  private async claim(staleBefore: number): Promise<StaleUser[]> {
    const flat = (await CLAIM_STALE_PRESENCE.run(this.redis.command, [REGISTRY_PRESENCE_KEY], [staleBefore, CLAIM_BATCH])) as string[];
    const users: StaleUser[] = [];
    for (let index = 0; index < flat.length; index += 2) users.push({ userId: flat[index], lastHeartbeatMs: Number(flat[index + 1]) });
    return users;
  }

  private async turnOffline(user: StaleUser): Promise<LapseOutcome> {
    const stillLapsed = async () => (await this.redis.command.zscore(REGISTRY_PRESENCE_KEY, user.userId)) === null;
    const outcome = await this.mirror.markLapsed(user.userId, new Date(user.lastHeartbeatMs), stillLapsed);
    if (outcome === 'failed') {
      // GT: a heartbeat that came meanwhile keeps its newer score.
      await this.redis.command.zadd(REGISTRY_PRESENCE_KEY, 'GT', user.lastHeartbeatMs, user.userId);
    }
    return outcome;
  }
}
