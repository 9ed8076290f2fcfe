import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@suite/redis';
import { buildQuotaLlmRequestsKey } from '@suite/redis-namespaces';
import { CompanyQuotasService } from '@suite/registry';
import { RpcError } from '@suite/rpc-contract';

const HOUR_MS = 3_600_000;

/**
 * max_llm_requests_per_hour (seed 000): every model call takes one request of its company's
 * current hour in one atomic Redis step (CompanyQuotasService), so concurrent calls on any number
 * of instances never pass the limit together. Refusals are QUOTA_EXCEEDED with retry_after_ms to
 * the next hour window.
 */
@Injectable()
export class LlmRequestQuota {
  constructor(
    private readonly quotas: CompanyQuotasService,
    private readonly redis: RedisConnections,
  ) {}

  /** Takes one request; throws QUOTA_EXCEEDED when the company has none left this hour. */
  async take(companyId: string): Promise<void> {
    const decision = await this.quotas.consumeLlmRequest(companyId);
    if (!decision.admitted) throw exceeded(decision.limit, decision.retryAfterMs ?? 1000);
  }

  /**
   * Refuses early (before queueing work that would call the model) when the hour is already spent.
   * It takes nothing: the model call itself takes the request, atomically.
   */
  async ensureLeft(companyId: string, now = Date.now()): Promise<void> {
    const limit = (await this.quotas.get(companyId)).max_llm_requests_per_hour;
    const window = Math.floor(now / HOUR_MS);
    const used = Number((await this.redis.command.get(buildQuotaLlmRequestsKey(companyId, window))) ?? 0);
    if (used >= limit) throw exceeded(limit, (window + 1) * HOUR_MS - now);
  }
}

function exceeded(limit: number, retryAfterMs: number): RpcError {
  return new RpcError('QUOTA_EXCEEDED', `max_llm_requests_per_hour (${limit}) reached for this company; retry in the next hour window`, retryAfterMs);
}
