import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

/**
 * Token counts with o200k_base (the GPT-4o / GPT-4.1 / o-series encoding), offline: gpt-tokenizer
 * ships its encodings in the npm package. A chat costs, as OpenAI counts it (and as
 * gpt-tokenizer's `encodeChat` encodes it): each message's content plus 4 tokens of framing, plus
 * 3 tokens priming the reply.
 */
export const MESSAGE_OVERHEAD_TOKENS = 4;
export const REPLY_PRIMING_TOKENS = 3;

export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : countTokens(text);
}

/** Tokens one stored message costs in a prompt (content and framing). */
export function messageTokens(content: string): number {
  return countTextTokens(content) + MESSAGE_OVERHEAD_TOKENS;
}

/** Tokens the system prompt costs in a prompt; nothing when there is none. */
export function systemPromptTokens(systemPrompt: string): number {
  return systemPrompt.length === 0 ? 0 : messageTokens(systemPrompt);
}
