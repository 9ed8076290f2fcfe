import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { isLevelEnabled, LogContext } from '@suite/logging';
import { RedisConnections } from '@suite/redis';
import { buildEventStreamKey, buildUserChannel } from '@suite/redis-namespaces';
import { randomUUID } from 'node:crypto';
import { EventEnvelope, EventMeta, EventType } from './event-envelope';
import { PUBLISH_IN_ORDER, PUBLISH_USER_EVENT } from './user-event-scripts';
import { UserEventDraft } from './user-event-draft';

type Listener = (envelope: EventEnvelope) => void;

/**
 * Publishes events to the Reflex app. Events for a user go to `{LISTENERS_CHANNEL_PREFIX}{uid}` and
 * to the user's capped stream (replayable); events for other channels (`msg:{uid}`, chat threads)
 * are published only. The current call's trace id is carried along unless given.
 */
@Injectable()
export class EventPublisher {
  private readonly logger = new Logger('Events');
  private readonly listeners = new Set<Listener>();
  private readonly debugLogs: boolean;

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
  ) {
    this.debugLogs = isLevelEnabled(config.LOG_LEVEL, 'debug');
  }

  /** Called after each publish (metrics). */
  onPublished(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async publishToUser<Payload>(uid: string, type: EventType, payload: Payload, meta: EventMeta = {}): Promise<EventEnvelope<Payload>> {
    return this.publishDraft(this.draftUserEvent(uid, type, payload, meta));
  }

  /**
   * An event for a user, ready to publish: by `publishDraft`, or by a script of another lib that
   * embeds `userEventLua` to publish in the same step as its own writes, then calls `confirmPublished`.
   */
  draftUserEvent<Payload>(uid: string, type: EventType, payload: Payload, meta: EventMeta = {}): UserEventDraft<Payload> {
    const envelope = this.envelopeWithoutId(uid, type, payload, meta);
    return {
      envelope,
      streamKey: buildEventStreamKey(uid),
      channel: buildUserChannel(this.config.LISTENERS_CHANNEL_PREFIX, uid),
      maxlen: this.config.EVENT_STREAM_MAXLEN,
      ttlSeconds: this.config.EVENT_STREAM_TTL_SECONDS,
      json: JSON.stringify(envelope),
    };
  }

  async publishDraft<Payload>(draft: UserEventDraft<Payload>): Promise<EventEnvelope<Payload>> {
    const id = (await PUBLISH_USER_EVENT.run(this.redis.command, [draft.streamKey], [draft.maxlen, draft.ttlSeconds, draft.json, draft.channel])) as string;
    return this.confirmPublished(draft, id);
  }

  /** Records a draft some script published under stream id `id` (logs, listeners such as metrics). */
  confirmPublished<Payload>(draft: UserEventDraft<Payload>, id: string): EventEnvelope<Payload> {
    return this.published({ id, ...draft.envelope }, draft.channel);
  }

  /** Publishes on a channel that is not the user's event channel; the id is a fresh UUID. */
  async publishToChannel<Payload>(channel: string, uid: string, type: EventType, payload: Payload, meta: EventMeta = {}): Promise<EventEnvelope<Payload>> {
    const envelope = { id: randomUUID(), ...this.envelopeWithoutId(uid, type, payload, meta) };
    await PUBLISH_IN_ORDER.run(this.redis.command, [channel], [JSON.stringify(envelope)]);
    return this.published(envelope, channel);
  }

  private envelopeWithoutId<Payload>(uid: string, type: EventType, payload: Payload, meta: EventMeta): Omit<EventEnvelope<Payload>, 'id'> {
    const traceId = meta.trace_id ?? LogContext.current().trace_id;
    return {
      type,
      uid,
      timestamp: new Date().toISOString(),
      payload,
      ...(traceId ? { trace_id: traceId } : {}),
      ...(meta.job_id ? { job_id: meta.job_id } : {}),
    };
  }

  private published<Payload>(envelope: EventEnvelope<Payload>, channel: string): EventEnvelope<Payload> {
    if (this.debugLogs) this.logger.debug({ event: 'publish', channel, type: envelope.type, event_id: envelope.id, user_id: envelope.uid });
    for (const listener of this.listeners) listener(envelope);
    return envelope;
  }
}
