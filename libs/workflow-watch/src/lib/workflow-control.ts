import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy, ClientProxyFactory, RedisOptions, Transport } from '@nestjs/microservices';
import { AppConfig } from '@suite/config';
import { asError } from '@suite/logging';
import { WORKFLOW_CONTROL_CHANNEL } from '@suite/redis-namespaces';
import { lastValueFrom } from 'rxjs';

/** The @nestjs/microservices event pattern (a Redis channel) of the listener fleet's control messages. */
export const WORKFLOW_CONTROL_PATTERN = WORKFLOW_CONTROL_CHANNEL;

/** "watch user X" / "unwatch user X" / "the threads user X watches changed", sent to every listener instance. */
export interface WorkflowControlMessage {
  action: 'watch' | 'unwatch' | 'threads';
  user_id: string;
}

export function isWorkflowControlMessage(value: unknown): value is WorkflowControlMessage {
  const message = value as Partial<WorkflowControlMessage> | null;
  return (
    typeof message === 'object' &&
    message !== null &&
    (message.action === 'watch' || message.action === 'unwatch' || message.action === 'threads') &&
    typeof message.user_id === 'string' &&
    message.user_id.length > 0
  );
}

/** Options of the @nestjs/microservices Redis transport on the suite's Redis (a cluster node works too: pub/sub spans the cluster). */
export function workflowControlTransport(config: AppConfig): Required<Pick<RedisOptions, 'transport' | 'options'>> {
  return {
    transport: Transport.REDIS,
    options: {
      host: config.LISTENERS_REDIS_HOST,
      port: config.LISTENERS_REDIS_PORT,
      password: config.LISTENERS_REDIS_PASSWORD,
      tls: config.LISTENERS_REDIS_TLS ? {} : undefined,
      db: config.LISTENERS_REDIS_CLUSTER ? 0 : config.LISTENERS_REDIS_DB,
      // Reconnect for ever: a Redis restart must not leave the control channel deaf.
      retryAttempts: Number.MAX_SAFE_INTEGER,
      retryDelay: 1000,
    },
  };
}

/**
 * A heartbeat re-sends "watch" at most this often per user and gateway instance: it heals a
 * listener fleet that missed the login, without a message per heartbeat.
 */
const HEARTBEAT_WATCH_INTERVAL_MS = 60_000;
const MAX_TRACKED_USERS = 100_000;

/**
 * The gateway side of the control channel (a ClientProxy on the Redis transport): presence
 * changes become "watch"/"unwatch" messages. Best effort: a lost message is healed by the
 * listeners' reconcile with the presence set, so a failure is logged and never fails the call.
 */
@Injectable()
export class WorkflowControlClient implements OnApplicationShutdown {
  private readonly logger = new Logger('WorkflowControl');
  private client?: ClientProxy;
  private readonly lastWatchSent = new Map<string, number>();

  constructor(private readonly config: AppConfig) {}

  watch(userId: string): void {
    this.lastWatchSent.set(userId, Date.now());
    if (this.lastWatchSent.size > MAX_TRACKED_USERS) this.lastWatchSent.clear();
    this.send({ action: 'watch', user_id: userId });
  }

  unwatch(userId: string): void {
    this.lastWatchSent.delete(userId);
    this.send({ action: 'unwatch', user_id: userId });
  }

  /** The Realtime Database threads the user watches changed: the instance watching the user follows them. */
  threadsChanged(userId: string): void {
    this.send({ action: 'threads', user_id: userId });
  }

  /** A heartbeat: "watch" again when this instance has not said so for a while (a gap, or a login seen elsewhere). */
  heartbeat(userId: string): void {
    if (Date.now() - (this.lastWatchSent.get(userId) ?? 0) < HEARTBEAT_WATCH_INTERVAL_MS) return;
    this.watch(userId);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.close();
  }

  private send(message: WorkflowControlMessage): void {
    if (!this.config.WORKFLOW_LISTENER_ENABLED) return;
    this.client ??= ClientProxyFactory.create(workflowControlTransport(this.config));
    lastValueFrom(this.client.emit(WORKFLOW_CONTROL_PATTERN, message), { defaultValue: undefined }).catch((error: unknown) =>
      this.logger.warn({ event: 'workflow_control_send_failed', action: message.action, user_id: message.user_id, err: asError(error) }),
    );
  }
}
