import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { isLevelEnabled, LogContext } from '@suite/logging';
import { MetricsService } from '@suite/metrics';
import { RedisConnections } from '@suite/redis';
import { RpcError } from '@suite/rpc-contract';
import { MethodRegistry } from '../method-registry';
import { ServiceToken } from '../service-token';
import { CallDeadlines } from '../timing/call-deadlines';
import { CallTimeoutError, runWithTimeout, Settle } from '../timing/run-with-timeout';
import { TraceIdGenerator } from '../timing/trace-ids';
import { bindParams, validateParams } from '../validation/bind-params';
import { CallState, IncomingCall, Respond, SERVICE_SCOPE } from './call-state';
import { classifyError, loggableError } from './classify-error';
import { callFingerprint } from './fingerprint';
import { HandlerCallContext } from './handler-call-context';
import { IdempotencyStore, RUNNING_MARGIN_MS } from './idempotency-store';
import { parseEnvelope, traceIdOf } from './parse-envelope';
import { RateDecision, RateLimiter } from './rate-limiter';
import { replyChannel, replyEnvelope } from './reply-to';
import { answerWithData, answerWithError, RpcAnswer } from './rpc-answer';

/**
 * The RPC pipeline, transport aside. One call, top to bottom: `handle` → `start` (auth, envelope,
 * method lookup: `admit`; then the rate limit) → `prepare` (method flag, parameter binding and
 * validation) → one of `execute` (plain), `idempotent` (idempotency_key) or `inBackground`
 * (reply_to) → `finish` (metrics, log line, the answer). Every step reads and fills the call's
 * CallState.
 *
 * The pipeline is synchronous up to the handler's own work, and hands answers on by callback: a
 * call that needs no Redis round trip of the gateway's own (rate limit batch in hand, no
 * idempotency key) creates no promise until the handler does, and the handler's promise is the
 * only one its answer waits on. Every promise costs here, twice: AsyncLocalStorage tracks each one.
 */
@Injectable()
export class RpcDispatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Rpc');
  /** reply_to calls still running, and idempotent calls that outlived their timeout: the drain waits for them. */
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

  /** Answers `incoming` through `respond`, exactly once; never throws. */
  handle(incoming: IncomingCall, respond: Respond): void {
    const traceId = traceIdOf(incoming.body) ?? this.traceIds.next();
    const call = new CallState(incoming, traceId, respond);
    LogContext.run({ trace_id: traceId }, () => this.start(call));
  }

  /**
   * Fires the AbortSignal of every handler still running (`RpcCallContext.signal`), with an
   * UNAVAILABLE error as its reason: the gateway's drain calls it once SHUTDOWN_GRACE_MS has passed.
   * Returns how many calls were in flight.
   */
  abortInFlight(): number {
    const count = this.deadlines.abortAll(new RpcError('UNAVAILABLE', 'the gateway is shutting down; retry the call', 1000));
    if (count > 0) this.logger.warn({ event: 'rpc_calls_aborted', reason: 'shutdown', count });
    return count;
  }

  /** Resolves when every reply_to call has published its answer and every outlived call has stored its outcome. */
  async drain(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  /** Admits the call, then lets the rate limit decide whether and when it goes on. */
  private start(call: CallState): void {
    try {
      this.admit(call);
      const decision = this.rateDecision(call);
      if (decision instanceof Promise) {
        decision.then((settled) => this.prepare(call, settled)).catch((error: unknown) => this.refuse(call, error));
        return;
      }
      this.prepare(call, decision);
    } catch (error) {
      this.refuse(call, error);
    }
  }

  /** Auth, the envelope, the method lookup; throws the refusal. */
  private admit(call: CallState): void {
    const { incoming } = call;
    if (!this.serviceToken.verifyHeader(incoming.authorization)) throw new RpcError('UNAUTHORIZED', 'missing or invalid bearer token');
    if (!incoming.contentType?.toLowerCase().startsWith('application/json')) {
      throw RpcError.invalidArgs('the request body must be JSON (Content-Type: application/json)');
    }
    const request = parseEnvelope(incoming.body, this.config.RPC_MAX_TIMEOUT_MS, this.reservedChannels);
    call.request = request;
    LogContext.assign({ user_id: request.user_id, method: request.method });
    call.registered = this.registry.find(request.method);
    if (call.registered) call.methodLabel = call.registered.fullName;
    call.scope = request.user_id ?? SERVICE_SCOPE;
    if (this.debugLogs) this.logger.debug({ event: 'rpc_call', method: request.method, session_id: request.session_id });
  }

  /** Synchronous while this instance holds some of the caller's budget (nearly always). */
  private rateDecision(call: CallState): RateDecision | Promise<RateDecision> {
    try {
      const decision = this.rateLimiter.consume(call.scope);
      return decision instanceof Promise ? decision.catch((error: unknown) => this.rateLimitUnavailable(error)) : decision;
    } catch (error) {
      return this.rateLimitUnavailable(error);
    }
  }

  /** Rate limiting protects; it must not take the gateway down with Redis. */
  private rateLimitUnavailable(error: unknown): RateDecision {
    this.logger.warn({ event: 'rate_limit_unavailable', err: loggableError(error) });
    return { allowed: true };
  }

  /** The rate decision, the method and its flag, the parameters (throws the refusal); then the call runs. */
  private prepare(call: CallState, decision: RateDecision): void {
    if (!decision.allowed) throw new RpcError('RATE_LIMITED', 'too many calls; retry later', decision.retryAfterMs);
    const { request, registered } = call;
    if (!request || !registered) throw new RpcError('METHOD_NOT_FOUND', `unknown method "${request?.method ?? ''}"`);
    const flag = registered.namespace.enabledBy;
    if (flag && !this.config[flag]) throw new RpcError('FEATURE_DISABLED', `${registered.namespace.name} is disabled (${flag}=false)`);

    call.method = registered;
    call.bound = bindParams(registered.fullName, registered.method, request.args ?? [], request.kwargs ?? {});
    call.params = validateParams(registered.fullName, registered.method, call.bound);
    call.timeoutMs = request.timeout_ms ?? this.config.RPC_DEFAULT_TIMEOUT_MS;

    if (request.idempotency_key) {
      this.idempotent(call, request.idempotency_key).then(
        (answer) => this.finish(call, answer),
        (error: unknown) => this.finish(call, this.failure(call, error)),
      );
    } else if (request.reply_to) {
      this.finish(call, this.inBackground(call, request.reply_to, this.executed(call)));
    } else {
      this.execute(call, (answer) => this.finish(call, answer));
    }
  }

  /** Runs the handler; its answer, or its error as an envelope, goes to `done`. Never throws. */
  private execute(call: CallState, done: Respond): void {
    this.runHandler(call, {
      value: (data) => done(this.dataAnswer(call, data)),
      error: (error) => done(this.failure(call, error)),
    });
  }

  /** `execute` as a promise, for reply_to. */
  private executed(call: CallState): Promise<RpcAnswer> {
    return new Promise((resolve) => this.execute(call, resolve));
  }

  private runHandler(call: CallState, settle: Settle<unknown>): void {
    runWithTimeout(this.deadlines, call.timeoutMs, (abort) => call.method.invoke(call.params, new HandlerCallContext(call, abort)), settle);
  }

  /** With an idempotency_key: the key's stored answer, or the call run once under the key. */
  private async idempotent(call: CallState, key: string): Promise<RpcAnswer> {
    const claim = await this.idempotency.claim(call.scope, key, callFingerprint(call.method.fullName, call.bound), call.timeoutMs);
    if (claim.outcome === 'mismatch') {
      throw new RpcError('IDEMPOTENCY_MISMATCH', 'this idempotency_key was used with a different method or arguments');
    }
    if (claim.outcome === 'in_progress') {
      throw new RpcError('IDEMPOTENCY_IN_PROGRESS', 'a call with this idempotency_key is still running', claim.retryAfterMs);
    }
    const replyTo = call.request?.reply_to;
    if (claim.outcome === 'replay') {
      const headers = { ...call.headers, 'idempotent-replay': 'true' };
      if (replyTo) {
        await this.publishReply(call, replyTo, claim.response.body);
        return answerWithData(202, { accepted: true, trace_id: call.traceId }, headers);
      }
      return { ...claim.response, headers };
    }
    const answered = this.executedOnce(call, key, claim.owner);
    return replyTo ? this.inBackground(call, replyTo, answered) : answered;
  }

  /**
   * Runs a claimed call. Its answer is stored for the key before the caller gets it, so a retry
   * right after replays it. A call that times out is answered TIMEOUT at once, but its key stays
   * running until the handler really ends, and then stores what the handler answered: a retry
   * with the key gets IDEMPOTENCY_IN_PROGRESS until then, the outcome after.
   */
  private executedOnce(call: CallState, key: string, owner: string): Promise<RpcAnswer> {
    return new Promise((resolve) => {
      const answer = (outcome: RpcAnswer) => void this.store(call, key, owner, outcome).then(() => resolve(outcome));
      let outlived: ((outcome: RpcAnswer | undefined) => void) | undefined;
      this.runHandler(call, {
        value: (data) => answer(this.dataAnswer(call, data)),
        error: (error) => {
          if (!(error instanceof CallTimeoutError)) return answer(this.failure(call, error));
          resolve(this.failure(call, error, true));
          outlived = this.outlive(call, key, owner);
        },
        lateValue: (data) => outlived?.(this.dataAnswer(call, data)),
        // A handler that stopped at its deadline (rejecting with the signal's reason) did not take effect: the key is freed.
        lateError: (error) => outlived?.(error instanceof CallTimeoutError ? undefined : this.failure(call, error)),
      });
    });
  }

  /**
   * A call past its timeout: its key is kept running in Redis while the handler runs on, and the
   * drain waits for it. Returns how to end it, with the handler's answer (undefined frees the key).
   */
  private outlive(call: CallState, key: string, owner: string): (outcome: RpcAnswer | undefined) => void {
    let ended: () => void = () => undefined;
    this.track(new Promise<void>((resolve) => (ended = resolve)));
    const keepAlive = setInterval(() => {
      this.idempotency.extend(call.scope, key, owner, RUNNING_MARGIN_MS).catch((error: unknown) => {
        this.logger.warn({ event: 'idempotency_extend_failed', err: loggableError(error) });
      });
    }, RUNNING_MARGIN_MS / 2);
    keepAlive.unref();
    return (outcome) => {
      clearInterval(keepAlive);
      this.logger.warn({ event: 'rpc_ended_after_timeout', method: call.methodLabel, code: outcome?.code ?? 'TIMEOUT', duration_ms: this.elapsedMs(call) });
      void this.store(call, key, owner, outcome).finally(ended);
    };
  }

  /**
   * Stripe semantics: the answer is kept for the key, errors included, except an error that tells
   * the caller to retry later (UNAVAILABLE, QUOTA_EXCEEDED with a wait): replaying it would make
   * the advised retry pointless, so the key is freed for it instead (as for `undefined`).
   */
  private async store(call: CallState, key: string, owner: string, answer: RpcAnswer | undefined): Promise<void> {
    try {
      if (!answer || answer.transient) await this.idempotency.release(call.scope, key, owner);
      else await this.idempotency.complete(call.scope, key, owner, { status: answer.status, body: answer.body, code: answer.code });
    } catch (error) {
      this.logger.error({ event: 'idempotency_store_failed', err: loggableError(error) });
    }
  }

  /** reply_to: answers 202 now, and publishes the answer on the channel once the call is done. */
  private inBackground(call: CallState, replyTo: string, executing: Promise<RpcAnswer>): RpcAnswer {
    this.track(
      executing
        .then((answer) => this.publishReply(call, replyTo, answer.body))
        .catch((error: unknown) => this.logger.error({ event: 'reply_to_failed', err: loggableError(error) })),
    );
    return answerWithData(202, { accepted: true, trace_id: call.traceId }, call.headers);
  }

  private async publishReply(call: CallState, replyTo: string, body: string): Promise<void> {
    await this.redis.command.publish(replyChannel(replyTo), replyEnvelope(body, call.traceId, call.request?.idempotency_key));
  }

  /** Work the drain waits for; it must not reject. */
  private track(work: Promise<void>): void {
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }

  /** Data that does not serialize (a cycle, a BigInt) is the handler's bug, answered as such. */
  private dataAnswer(call: CallState, data: unknown): RpcAnswer {
    try {
      return answerWithData(200, data, call.headers);
    } catch (error) {
      return this.failure(call, error);
    }
  }

  /** What the caller is told of an error, whatever was thrown (a string, undefined: INTERNAL with the trace id). */
  private failure(call: CallState, error: unknown, idempotent = false): RpcAnswer {
    const { rpcError, unexpected } = classifyError(error, call.traceId, idempotent);
    if (unexpected) this.logger.error({ event: 'rpc_unexpected_error', err: loggableError(error) });
    return answerWithError(rpcError, call.headers);
  }

  /** A refusal of the call, before any answer. Anything thrown once it was answered is a bug: logged. */
  private refuse(call: CallState, error: unknown): void {
    if (!call.answered) this.finish(call, this.failure(call, error));
    else this.logger.error({ event: 'rpc_error_after_answer', err: loggableError(error) });
  }

  /**
   * Every call ends here, exactly once: metrics and the log line, then the answer. Nothing may
   * throw out of it: it runs in promise reactions and timers, where a throw would be an unhandled
   * rejection (the process exits) instead of an answer.
   */
  private finish(call: CallState, answer: RpcAnswer): void {
    if (call.answered) return;
    call.answered = true;
    try {
      this.record(call, answer);
    } catch (error) {
      this.logger.error({ event: 'rpc_record_failed', err: loggableError(error) });
    }
    try {
      call.respond(answer);
    } catch (error) {
      this.logger.error({ event: 'rpc_respond_failed', err: loggableError(error) });
    }
  }

  private record(call: CallState, answer: RpcAnswer): void {
    const seconds = Number(process.hrtime.bigint() - call.started) / 1e9;
    const { code } = answer;
    const method = call.methodLabel;
    this.metrics.rpcDuration.observe(method, code, seconds);
    const durationMs = Math.round(seconds * 1e6) / 1e3;
    if (code === 'ok') {
      if (this.infoLogs) this.logger.log({ event: 'rpc_ok', method, status: answer.status, duration_ms: durationMs });
      return;
    }
    this.metrics.rpcErrors.inc({ namespace: method === 'unknown' ? 'unknown' : method.split('.')[0], code });
    this.logger.warn({ event: 'rpc_error', method, requested: call.request?.method.slice(0, 200), status: answer.status, code, duration_ms: durationMs });
  }

  private elapsedMs(call: CallState): number {
    return Math.round(Number(process.hrtime.bigint() - call.started) / 1e3) / 1e3;
  }
}
