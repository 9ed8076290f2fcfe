import type { AppConfig } from '@suite/config';
import type { ProviderDescription } from './model-provider';

/** The key sent to the in-repo development model server when OPENAI_API_KEY is unset (it is not a secret). */
export const DEVELOPMENT_MODEL_KEY = 'dev-model-server';
const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface LlmEndpoint extends ProviderDescription {
  apiKey: string | null;
}

/**
 * OPENAI_API_KEY set: OpenAI (or OPENAI_BASE_URL, an OpenAI-compatible endpoint). Key unset and
 * OPENAI_BASE_URL set: the development model server (`npm start` and the tests start one). Both
 * unset: no model; calls answer UNAVAILABLE naming the settings.
 */
export function resolveLlmEndpoint(config: AppConfig): LlmEndpoint {
  const baseUrl = config.OPENAI_BASE_URL?.replace(/\/+$/, '') ?? null;
  if (config.OPENAI_API_KEY) return { provider: 'openai', base_url: baseUrl ?? OPENAI_BASE_URL, default_model: config.LLM_MODEL, apiKey: config.OPENAI_API_KEY };
  if (baseUrl) return { provider: 'development-server', base_url: baseUrl, default_model: config.LLM_MODEL, apiKey: DEVELOPMENT_MODEL_KEY };
  return { provider: 'none', base_url: null, default_model: config.LLM_MODEL, apiKey: null };
}
