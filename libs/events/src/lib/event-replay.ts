import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@suite/redis';
import { buildEventStreamKey } from '@suite/redis-namespaces';
import { EventEnvelope, STREAM_ID_PATTERN } from './event-envelope';
import { withEventId } from './user-event-scripts';

export interface ReplayResult {
  events: EventEnvelope[];
  /** True when more events follow the last one returned. */
  has_more: boolean;
  /** True when events after `since_id` were already trimmed from the capped stream. */
  truncated: boolean;
}

export class InvalidEventIdError extends Error {
  constructor(readonly eventId: string) {
    super(`"${eventId}" is not an event id (expected <milliseconds>-<sequence>)`);
  }
}

export const MAX_REPLAY_LIMIT = 1000;

/** Reads what a user missed: the events of their stream after `sinceId`, oldest first. */
@Injectable()
export class EventReplay {
  constructor(private readonly redis: RedisConnections) {}

  async replay(uid: string, sinceId?: string, limit = 100): Promise<ReplayResult> {
    if (sinceId !== undefined && !STREAM_ID_PATTERN.test(sinceId)) throw new InvalidEventIdError(sinceId);
    const count = Math.max(1, Math.min(limit, MAX_REPLAY_LIMIT));
    const key = buildEventStreamKey(uid);
    const start = sinceId ? `(${sinceId}` : '-';
    const entries = await this.redis.command.xrange(key, start, '+', 'COUNT', count + 1);
    const events = entries.slice(0, count).map(([id, fields]) => JSON.parse(withEventId(id, fields[1] ?? '{}')) as EventEnvelope);
    const truncated = sinceId ? await this.wasTrimmedAfter(key, sinceId) : false;
    return { events, has_more: entries.length > count, truncated };
  }

  /**
   * Trimming removes the oldest entries, so events after `sinceId` may be gone when entries were
   * trimmed and the oldest kept entry is newer than `sinceId`. (When `sinceId` was exactly the last
   * trimmed entry nothing was lost; that case is reported as truncated too, which is safe: the
   * client resynchronises.)
   */
  private async wasTrimmedAfter(key: string, sinceId: string): Promise<boolean> {
    let info: unknown[];
    try {
      info = (await this.redis.command.xinfo('STREAM', key)) as unknown[];
    } catch {
      // No stream although the client saw an event of it: it expired (idle TTL) with what it held.
      return true;
    }
    const field = (name: string) => info[info.indexOf(name) + 1];
    const length = Number(field('length'));
    const added = Number(field('entries-added'));
    const firstEntry = field('first-entry');
    if (!(added > length) || !Array.isArray(firstEntry)) return false;
    return compareStreamIds(String(firstEntry[0]), sinceId) > 0;
  }
}

export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(BigInt);
  const [bMs, bSeq] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs > bMs ? 1 : -1;
  if (aSeq !== bSeq) return aSeq > bSeq ? 1 : -1;
  return 0;
}
