import type { AppConfig } from '@suite/config';
import { RpcError } from '@suite/rpc-contract';

export const TEMPERATURE_RANGE = { min: 0, max: 2 } as const;

export interface CallerChoices {
  prompt: string;
  model?: string;
  temperature?: number;
}

/** The model a call runs on: the caller's choice if the configuration allows it, else LLM_MODEL. */
export function chooseModel(config: AppConfig, model: string | undefined): string {
  if (model === undefined || model === '') return config.LLM_MODEL;
  if (model === config.LLM_MODEL || config.LLM_ALLOWED_MODELS.includes(model)) return model;
  throw RpcError.invalidArgs(`model "${model.slice(0, 100)}" is not allowed here; allowed: ${allowedModels(config).join(', ')} (LLM_ALLOWED_MODELS)`);
}

/** Checks what a caller chose (INVALID_ARGS naming the parameter) and resolves the model. */
export function checkCallerChoices(config: AppConfig, choices: CallerChoices, promptName = 'prompt'): { model: string; temperature: number | undefined } {
  if (typeof choices.prompt !== 'string' || choices.prompt.trim().length === 0) throw RpcError.invalidArgs(`${promptName} must be a non-empty string`);
  if (choices.prompt.length > config.LLM_MAX_PROMPT_CHARS) {
    throw RpcError.invalidArgs(`${promptName} is ${choices.prompt.length} characters long; the limit is ${config.LLM_MAX_PROMPT_CHARS} (LLM_MAX_PROMPT_CHARS)`);
  }
  const temperature = choices.temperature;
  if (temperature !== undefined && (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < TEMPERATURE_RANGE.min || temperature > TEMPERATURE_RANGE.max)) {
    throw RpcError.invalidArgs(`temperature must be a number from ${TEMPERATURE_RANGE.min} to ${TEMPERATURE_RANGE.max}`);
  }
  return { model: chooseModel(config, choices.model), temperature };
}

function allowedModels(config: AppConfig): string[] {
  return [...new Set([config.LLM_MODEL, ...config.LLM_ALLOWED_MODELS])];
}
