import { Inject, Injectable } from '@nestjs/common';
import { LlmRequestQuota } from './llm-request-quota';
import { Completion, CompletionRequest, DeltaListener, MODEL_PROVIDER, ModelProvider, ProviderDescription } from './model-provider';

/** Model calls of a company: each takes one max_llm_requests_per_hour request, then calls the provider. */
@Injectable()
export class LlmService {
  constructor(
    @Inject(MODEL_PROVIDER) private readonly provider: ModelProvider,
    private readonly quota: LlmRequestQuota,
  ) {}

  get description(): ProviderDescription {
    return this.provider.description;
  }

  async complete(companyId: string, request: CompletionRequest): Promise<Completion> {
    await this.quota.take(companyId);
    return this.provider.complete(request);
  }

  async stream(companyId: string, request: CompletionRequest, onDelta: DeltaListener): Promise<Completion> {
    await this.quota.take(companyId);
    return this.provider.stream(request, onDelta);
  }

  probe(timeoutMs = 1000): Promise<'ok' | 'error' | 'not_configured'> {
    return this.provider.probe(timeoutMs);
  }
}
