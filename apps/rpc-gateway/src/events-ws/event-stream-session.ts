import { ChannelSubscriber, compareStreamIds, EventEnvelope, EventReplay, STREAM_ID_PATTERN } from '@suite/events';
import type { WebSocket } from 'ws';

const REPLAY_PAGE = 500;
/** Type of the frame that ends the replay; its `last_id` is the last replayed event's id (else `since`, else null). */
export const REPLAY_DONE = 'replay.done';

/**
 * One client's event stream: live events of its channel, after a replay of what it missed since
 * `sinceId`. Live events are buffered while the replay runs and sent after it, skipping any the
 * replay already sent, so the client sees every event once, in order. A `replay.done` frame stands
 * between the replayed events and the live ones.
 */
export class EventStreamSession {
  private lastSentId?: string;
  private buffering = true;
  private readonly buffer: EventEnvelope[] = [];
  private unsubscribe?: () => Promise<void>;

  private socket?: WebSocket;

  constructor(
    private readonly userId: string,
    private readonly channel: string,
    private readonly subscriber: ChannelSubscriber,
    private readonly replay: EventReplay,
  ) {}

  /** Subscribes before the socket opens, so nothing published from then on can be missed. */
  async subscribe(): Promise<void> {
    this.unsubscribe = await this.subscriber.subscribe(this.channel, (message) => this.onLive(message));
  }

  /** Sends what was missed since `sinceId`, then what arrived meanwhile, then live events. */
  async attach(socket: WebSocket, sinceId: string | undefined): Promise<void> {
    this.socket = socket;
    if (sinceId) {
      let cursor = sinceId;
      for (;;) {
        const page = await this.replay.replay(this.userId, cursor, REPLAY_PAGE);
        if (cursor === sinceId && page.truncated) this.sendRaw(JSON.stringify({ control: 'replay_truncated', since_id: sinceId }));
        for (const event of page.events) this.send(event);
        if (!page.has_more || page.events.length === 0) break;
        cursor = page.events[page.events.length - 1].id;
      }
    }
    // The replay is over (also when there was none to do): every frame after this one is live.
    this.sendRaw(JSON.stringify({ type: REPLAY_DONE, last_id: this.lastSentId ?? sinceId ?? null }));
    this.buffering = false;
    for (const event of this.buffer.splice(0)) this.send(event);
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  private onLive(message: string): void {
    let event: EventEnvelope;
    try {
      event = JSON.parse(message) as EventEnvelope;
    } catch {
      return;
    }
    // Anything else published on the channel (a foreign publisher, a stray reply) is not an event of the stream.
    if (typeof event?.id !== 'string' || !STREAM_ID_PATTERN.test(event.id)) return;
    if (this.buffering) this.buffer.push(event);
    else this.send(event);
  }

  private send(event: EventEnvelope): void {
    if (this.lastSentId && compareStreamIds(event.id, this.lastSentId) <= 0) return;
    this.lastSentId = event.id;
    this.sendRaw(JSON.stringify(event));
  }

  private sendRaw(text: string): void {
    if (this.socket && this.socket.readyState === this.socket.OPEN) this.socket.send(text);
  }
}
