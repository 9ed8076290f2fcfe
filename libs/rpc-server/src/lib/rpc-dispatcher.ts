import { Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { asError, isLevelEnabled, LogContext } from '@suite/logging';
import { MetricsService } from '@suite/metrics';
import { RedisConnections } from '@suite/redis';
import { RpcCallContext, RpcError, RpcRequest } from '@suite/rpc-contract';
import { bindParams, validateParams } from './bind-params';
import { CallDeadlines } from './call-deadlines';
import { classifyError } from './classify-error';
import { callFingerprint } from './fingerprint';
import { HandlerCallContext } from './handler-call-context';
import { IdempotencyStore } from './idempotency-store';
import { MethodRegistry, RegisteredMethod } from './method-registry';
import { parseEnvelope, traceIdOf } from './parse-envelope';
import { RateDecision, RateLimiter } from './rate-limiter';
import { answerWithData, answerWithError, RpcAnswer } from './rpc-answer';
import { runWithTimeout } from './run-with-timeout';
import { ServiceToken } from './service-token';
import { TraceIdGenerator } from './trace-ids';

/** Receives a call's answer. */
export type Respond = (answer: RpcAnswer) => void;

/** One incoming HTTP call, as the transport hands it over. */
export interface IncomingCall {
  authorization: string | undefined;
  /** The Content-Type header: only JSON bodies are calls. */
  contentType: string | undefined;
  body: unknown;
}

const SERVICE_SCOPE = '_service';

/**
 * The RPC pipeline, transport aside: auth, envelope, rate limit, method lookup, parameter binding
 * and validation, idempotency, timeout, reply_to, and the `{ok, …}` answer with its HTTP status.
 */
@Injectable()
export class RpcDispatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Rpc');
  private readonly background = new Set<Promise<void>>();
  private readonly deadlines = new CallDeadlines();
  private readonly traceIds = new TraceIdGenerator();
  private readonly debugLogs: boolean;
  private readonly infoLogs: boolean;
  /** Channels a reply_to may not publish on: clients' event channels and the suite's control channels. */
  private readonly reservedChannels: string[];

  constructor(
    private readonly config: AppConfig,
    private readonly registry: MethodRegistry,
    private readonly rateLimiter: RateLimiter,
    private readonly idempotency: IdempotencyStore,
    private readonly metrics: MetricsService,
    private readonly redis: RedisConnections,
    private readonly serviceToken: ServiceToken,
  ) {
    this.debugLogs = isLevelEnabled(config.LOG_LEVEL, 'debug');
    this.infoLogs = isLevelEnabled(config.LOG_LEVEL, 'info');
    this.reservedChannels = [config.LISTENERS_CHANNEL_PREFIX, 'msg:', 'chat:', 'workflow:'];
  }

  /** Answers `call` through `respond`, exactly once; never throws. */
  handle(call: IncomingCall, respond: Respond): void {
    const traceId = traceIdOf(call.body) ?? this.traceIds.next();
    LogContext.run({ trace_id: traceId }, () => this.answer(call, traceId, respond));
  }

  /** Resolves when every reply_to call still running has published its answer. */
  async drain(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  /**
   * The pipeline is synchronous up to the handler's own work, and hands answers on by callback: a
   * call that needs no Redis round trip of the gateway's own (rate limit batch in hand, no
   * idempotency key) creates no promise until the handler does, and the handler's promise is the
   * only one its answer waits on. Every promise costs here, twice: AsyncLocalStorage tracks each one.
   */
  private answer(call: IncomingCall, traceId: string, respond: Respond): void {
    const started = process.hrtime.bigint();
    const headers = { 'x-trace-id': traceId };
    let methodLabel = 'unknown';
    let request: RpcRequest | undefined;
    let answered = false;
    const finish: Respond = (answer) => {
      if (answered) return;
      answered = true;
      // Neither may throw out of here: `finish` runs in promise reactions and timers, where a throw
      // would be an unhandled rejection (the process exits) instead of an answer.
      try {
        this.record(methodLabel, request, answer, started);
      } catch (error) {
        this.logger.error({ event: 'rpc_record_failed', err: asError(error) });
      }
      try {
        respond(answer);
      } catch (error) {
        this.logger.error({ event: 'rpc_respond_failed', err: asError(error) });
      }
    };
    try {
      if (!this.serviceToken.verifyHeader(call.authorization)) throw new RpcError('UNAUTHORIZED', 'missing or invalid bearer token');
      if (!call.contentType?.toLowerCase().startsWith('application/json')) {
        throw RpcError.invalidArgs('the request body must be JSON (Content-Type: application/json)');
      }
      request = parseEnvelope(call.body, this.config.RPC_MAX_TIMEOUT_MS, this.reservedChannels);
      LogContext.assign({ user_id: request.user_id, method: request.method });
      const registered = this.registry.find(request.method);
      if (registered) methodLabel = registered.fullName;
      this.dispatch(request, registered, traceId, headers, finish);
    } catch (error) {
      // A refusal of the call, before any answer. Anything thrown once it was answered is a bug: logged.
      if (!answered) finish(this.failure(error, traceId, headers));
      else this.logger.error({ event: 'rpc_error_after_answer', err: asError(error) });
    }
  }

  /** Answers through `done`, or throws (synchronously, before answering) a refusal of the call. */
  private dispatch(request: RpcRequest, registered: RegisteredMethod | undefined, traceId: string, headers: Record<string, string>, done: Respond): void {
    if (this.debugLogs) this.logger.debug({ event: 'rpc_call', method: request.method, session_id: request.session_id });
    const scope = request.user_id ?? SERVICE_SCOPE;
    let decision: RateDecision | Promise<RateDecision>;
    try {
      decision = this.rateLimiter.consume(scope);
    } catch (error) {
      decision = this.rateLimitUnavailable(error);
    }
    if (decision instanceof Promise) {
      decision
        .catch((error: unknown) => this.rateLimitUnavailable(error))
        .then((settled) => this.dispatchAllowed(settled, request, registered, scope, traceId, headers, done))
        .catch((error: unknown) => done(this.failure(error, traceId, headers)));
      return;
    }
    this.dispatchAllowed(decision, request, registered, scope, traceId, headers, done);
  }

  /** Rate limiting protects; it must not take the gateway down with Redis. */
  private rateLimitUnavailable(error: unknown): RateDecision {
    this.logger.warn({ event: 'rate_limit_unavailable', error: (error as Error).message });
    return { allowed: true };
  }

  private dispatchAllowed(
    decision: RateDecision,
    request: RpcRequest,
    registered: RegisteredMethod | undefined,
    scope: string,
    traceId: string,
    headers: Record<string, string>,
    done: Respond,
  ): void {
    if (!decision.allowed) throw new RpcError('RATE_LIMITED', 'too many calls; retry later', decision.retryAfterMs);

    if (!registered) throw new RpcError('METHOD_NOT_FOUND', `unknown method "${request.method}"`);
    const flag = registered.namespace.enabledBy;
    if (flag && !this.config[flag]) throw new RpcError('FEATURE_DISABLED', `${registered.namespace.name} is disabled (${flag}=false)`);

    const bound = bindParams(registered.fullName, registered.method, request.args ?? [], request.kwargs ?? {});
    const params = validateParams(registered.fullName, registered.method, bound);
    const timeoutMs = request.timeout_ms ?? this.config.RPC_DEFAULT_TIMEOUT_MS;
    const context = { method: registered.fullName, trace_id: traceId, user_id: request.user_id, session_id: request.session_id };

    if (request.idempotency_key) {
      this.dispatchIdempotent(request, request.idempotency_key, registered, bound, params, context, scope, timeoutMs, headers).then(done, (error: unknown) =>
        done(this.failure(error, traceId, headers)),
      );
      return;
    }
    if (request.reply_to) {
      done(this.inBackground(request.reply_to, this.executed(registered, params, context, timeoutMs, headers), traceId, headers));
      return;
    }
    this.execute(registered, params, context, timeoutMs, headers, done);
  }

  private async dispatchIdempotent(
    request: RpcRequest,
    key: string,
    registered: RegisteredMethod,
    bound: Record<string, unknown>,
    params: object,
    context: Omit<RpcCallContext, 'signal'>,
    scope: string,
    timeoutMs: number,
    headers: Record<string, string>,
  ): Promise<RpcAnswer> {
    const claim = await this.idempotency.claim(scope, key, callFingerprint(registered.fullName, bound), timeoutMs);
    if (claim.outcome === 'mismatch') {
      throw new RpcError('IDEMPOTENCY_MISMATCH', 'this idempotency_key was used with a different method or arguments');
    }
    if (claim.outcome === 'in_progress') {
      throw new RpcError('IDEMPOTENCY_IN_PROGRESS', 'a call with this idempotency_key is still running', claim.retryAfterMs);
    }
    if (claim.outcome === 'replay') {
      const replayHeaders = { ...headers, 'idempotent-replay': 'true' };
      if (request.reply_to) {
        await this.publishReply(request.reply_to, claim.response.body);
        return answerWithData(202, { accepted: true, trace_id: context.trace_id }, replayHeaders);
      }
      return { status: claim.response.status, body: claim.response.body, headers: replayHeaders };
    }
    const { owner } = claim;
    const executed = this.executed(registered, params, context, timeoutMs, headers).then(async (answer) => {
      // Stripe semantics: the answer is kept, errors included, except an error that tells the
      // caller to retry later (UNAVAILABLE, QUOTA_EXCEEDED with a wait): replaying it would
      // make the advised retry pointless, so the key is freed for it instead.
      const settle = answer.transient
        ? this.idempotency.release(scope, key, owner)
        : this.idempotency.complete(scope, key, owner, { status: answer.status, body: answer.body });
      await settle.catch((error: unknown) => {
        this.logger.error({ event: 'idempotency_store_failed', error: (error as Error).message });
      });
      return answer;
    });
    if (request.reply_to) return this.inBackground(request.reply_to, executed, context.trace_id, headers);
    return executed;
  }

  /** `reply_to`: answers 202 now and publishes the envelope on the channel when the call is done. */
  private inBackground(replyTo: string, executing: Promise<RpcAnswer>, traceId: string, headers: Record<string, string>): RpcAnswer {
    const running = executing
      .then((answer) => this.publishReply(replyTo, answer.body))
      .catch((error: unknown) => this.logger.error({ event: 'reply_to_failed', error: (error as Error).message }));
    this.background.add(running);
    void running.finally(() => this.background.delete(running));
    return answerWithData(202, { accepted: true, trace_id: traceId }, headers);
  }

  /** The handler's answer, or its error as an envelope, through `done`; never throws. */
  private execute(registered: RegisteredMethod, params: object, context: Omit<RpcCallContext, 'signal'>, timeoutMs: number, headers: Record<string, string>, done: Respond): void {
    runWithTimeout(this.deadlines, timeoutMs, (abort) => registered.invoke(params, new HandlerCallContext(context, abort)), {
      value: (data) => {
        let answer: RpcAnswer;
        try {
          answer = answerWithData(200, data, headers);
        } catch (error) {
          // Data that does not serialize (a cycle, a BigInt) is the handler's bug, reported as such.
          answer = this.failure(error, context.trace_id, headers);
        }
        done(answer);
      },
      error: (error) => done(this.failure(error, context.trace_id, headers)),
    });
  }

  /** `execute` as a promise, for the paths that do more once the answer is known (idempotency, reply_to). */
  private executed(registered: RegisteredMethod, params: object, context: Omit<RpcCallContext, 'signal'>, timeoutMs: number, headers: Record<string, string>): Promise<RpcAnswer> {
    return new Promise((resolve) => this.execute(registered, params, context, timeoutMs, headers, resolve));
  }

  private failure(error: unknown, traceId: string, headers: Record<string, string>): RpcAnswer {
    const { rpcError, unexpected } = classifyError(error, traceId);
    if (unexpected) this.logger.error({ event: 'rpc_unexpected_error', err: asError(error) });
    return answerWithError(rpcError, headers);
  }

  private async publishReply(replyTo: string, body: string): Promise<void> {
    await this.redis.command.publish(replyTo.slice('redis:'.length), body);
  }

  private record(methodLabel: string, request: RpcRequest | undefined, answer: RpcAnswer, started: bigint): void {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const code = answer.status < 300 ? 'ok' : errorCodeOf(answer.body);
    this.metrics.rpcDuration.observe(methodLabel, code, seconds);
    const durationMs = Math.round(seconds * 1e6) / 1e3;
    if (code === 'ok') {
      if (this.infoLogs) this.logger.log({ event: 'rpc_ok', method: methodLabel, status: answer.status, duration_ms: durationMs });
      return;
    }
    this.metrics.rpcErrors.inc({ namespace: methodLabel === 'unknown' ? 'unknown' : methodLabel.split('.')[0], code });
    this.logger.warn({ event: 'rpc_error', method: methodLabel, requested: request?.method?.slice(0, 200), status: answer.status, code, duration_ms: durationMs });
  }
}


function errorCodeOf(body: string): string {
  const match = /"code":"([A-Z_]+)"/.exec(body);
  return match ? match[1] : 'INTERNAL';
}
