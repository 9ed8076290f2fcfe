import { Injectable, Logger } from '@nestjs/common';
import { ChannelSubscriber } from '@suite/events';
import { asError } from '@suite/logging';
import { RedisConnections } from '@suite/redis';
import { ANSWER_STOP_CHANNEL, ANSWER_STOP_TTL_SECONDS, buildAnswerStopKey } from '@suite/redis-namespaces';

export interface StopWatch {
  /** Aborted when a stop is asked for the answer (from any instance). */
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * Stopping a streaming answer from another instance (`LLM.stop_message` on a gateway, the answer
 * streaming in a task-worker): the stop is written to `llm:stop:{message_id}` (5 min) and its id
 * published on one control channel that every streaming instance listens to. A watcher checks
 * the key once after it is listening, so a stop that came before the stream started is not lost.
 */
@Injectable()
export class AnswerStops {
  private readonly logger = new Logger('AnswerStops');
  private readonly watching = new Map<string, Set<AbortController>>();
  private listening?: Promise<unknown>;

  constructor(
    private readonly redis: RedisConnections,
    private readonly subscriber: ChannelSubscriber,
  ) {}

  async requestStop(messageId: string): Promise<void> {
    await this.redis.command.set(buildAnswerStopKey(messageId), '1', 'EX', ANSWER_STOP_TTL_SECONDS);
    await this.redis.command.publish(ANSWER_STOP_CHANNEL, messageId);
  }

  /** Starts watching at once (nothing to await: the stream need not wait for Redis). */
  watch(messageId: string): StopWatch {
    const controller = new AbortController();
    let set = this.watching.get(messageId);
    if (!set) {
      set = new Set();
      this.watching.set(messageId, set);
    }
    set.add(controller);
    void this.listen()
      .then(() => this.redis.command.exists(buildAnswerStopKey(messageId)))
      .then((exists) => {
        if (exists === 1) controller.abort();
      })
      .catch((error: unknown) => this.logger.warn({ event: 'answer_stop_watch_failed', message_id: messageId, err: asError(error).message }));
    return {
      signal: controller.signal,
      dispose: () => {
        const current = this.watching.get(messageId);
        current?.delete(controller);
        if (current?.size === 0) this.watching.delete(messageId);
      },
    };
  }

  private listen(): Promise<unknown> {
    this.listening ??= this.subscriber.subscribe(ANSWER_STOP_CHANNEL, (messageId) => {
      for (const controller of this.watching.get(messageId) ?? []) controller.abort();
    });
    this.listening.catch(() => (this.listening = undefined)); // try again at the next watch
    return this.listening;
  }
}
