import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { asError } from '@suite/logging';

/**
 * The development model: an OpenAI-compatible HTTP server with deterministic answers, for local
 * runs and tests when no OpenAI key is configured. It is not a language model: each answer is
 * derived from the prompt (the same messages always give the same answer), streamed in several
 * chunks like the real API.
 *
 * Switches in the last user message make it misbehave the way a provider does, per request (so
 * tests sharing one server do not disturb each other):
 *   [dev:429]  or [dev:429:<seconds>]  answers 429 with Retry-After (default 2 s)
 *   [dev:500]                          answers 500
 *   [dev:stall:<n>]                    streams n chunks then sends nothing more (non-stream: never answers)
 *   [dev:delay:<ms>]                   waits this long before each chunk (slow answers)
 *   [dev:words:<n>]                    answers with n words (long answers)
 */
export const DEV_MODEL_SERVER_NAME = 'development model server (deterministic, not a language model)';
export const DEV_MODEL_DEFAULT_KEY = 'dev-model-server';
export const DEV_MODEL_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4', 'gpt-3.5-turbo', 'dev-model'] as const;
const EMBEDDING_MODELS = ['text-embedding-3-small', 'text-embedding-3-large', 'text-embedding-ada-002'];
const DEFAULT_EMBEDDING_DIMENSIONS = 64;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface DevModelServerOptions {
  /** Keys accepted as `Authorization: Bearer <key>`; any other key is refused with 401 as OpenAI does. */
  apiKeys?: string[];
  /** Called with one JSON-able object per request (the server's log line). */
  log?: (line: Record<string, unknown>) => void;
}

interface ChatMessage {
  role: string;
  content: unknown;
}

interface ChatRequest {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
}

interface Switches {
  rateLimitSeconds?: number;
  serverError: boolean;
  stallAfterChunks?: number;
  delayMs: number;
  words?: number;
}

export function createDevModelServer(options: DevModelServerOptions = {}): Server {
  const keys = new Set(options.apiKeys && options.apiKeys.length > 0 ? options.apiKeys : [DEV_MODEL_DEFAULT_KEY]);
  const log = options.log ?? (() => undefined);
  let sequence = 0;

  return createServer((request, response) => {
    const started = Date.now();
    const requestId = `dev-${++sequence}`;
    response.setHeader('x-request-id', requestId);
    response.setHeader('x-development-model', 'true');
    response.once('close', () =>
      log({ event: 'dev_model_request', development_model: true, method: request.method, path: request.url, status: response.statusCode, ms: Date.now() - started }),
    );
    handle(request, response, keys).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, 'server_error', `development model server error: ${asError(error).message}`);
      else response.destroy();
    });
  });
}

async function handle(request: IncomingMessage, response: ServerResponse, keys: Set<string>): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method === 'GET' && (path === '/' || path === '/healthz')) {
    return sendJson(response, 200, { status: 'ok', development_model: true, name: DEV_MODEL_SERVER_NAME });
  }
  if (!path.startsWith('/v1/')) return sendError(response, 404, 'not_found', `Unknown path ${path}`);
  const key = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (!key || !keys.has(key)) {
    // Like OpenAI, the message shows part of the key: callers must never pass it on verbatim.
    return sendError(response, 401, 'invalid_api_key', `Incorrect API key provided: ${(key ?? '').slice(0, 6)}****. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error');
  }
  if (request.method === 'GET' && path === '/v1/models') {
    const models = [...DEV_MODEL_MODELS, ...EMBEDDING_MODELS].map((id) => ({ id, object: 'model', created: 0, owned_by: 'development-model-server' }));
    return sendJson(response, 200, { object: 'list', data: models });
  }
  if (request.method === 'GET' && path.startsWith('/v1/models/')) {
    const id = decodeURIComponent(path.slice('/v1/models/'.length));
    if (![...DEV_MODEL_MODELS, ...EMBEDDING_MODELS].includes(id)) return modelNotFound(response, id);
    return sendJson(response, 200, { id, object: 'model', created: 0, owned_by: 'development-model-server' });
  }
  if (request.method === 'POST' && path === '/v1/chat/completions') return chatCompletions(response, (await readJson(request)) as ChatRequest);
  if (request.method === 'POST' && path === '/v1/embeddings') return embeddings(response, (await readJson(request)) as Record<string, unknown>);
  return sendError(response, 404, 'not_found', `Unknown path ${path}`);
}

async function chatCompletions(response: ServerResponse, body: ChatRequest): Promise<void> {
  const model = typeof body.model === 'string' ? body.model : '';
  if (!(DEV_MODEL_MODELS as readonly string[]).includes(model)) return modelNotFound(response, model);
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return sendError(response, 400, 'invalid_value', "'messages' must be a non-empty array", 'invalid_request_error', 'messages');
  }
  const messages = body.messages as ChatMessage[];
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const prompt = textOf(lastUser?.content);
  const switches = readSwitches(prompt);
  if (switches.rateLimitSeconds !== undefined) {
    response.setHeader('retry-after', String(switches.rateLimitSeconds));
    return sendError(response, 429, 'rate_limit_exceeded', 'Rate limit reached for requests (development model switch [dev:429]).', 'requests');
  }
  if (switches.serverError) return sendError(response, 500, 'server_error', 'The server had an error while processing your request (development model switch [dev:500]).', 'server_error');

  const chunks = answerChunks(messages, prompt, switches.words);
  const maxTokens = Number(body.max_completion_tokens ?? body.max_tokens ?? Infinity);
  const kept = Number.isFinite(maxTokens) && maxTokens > 0 ? chunks.slice(0, maxTokens) : chunks;
  const finishReason = kept.length < chunks.length ? 'length' : 'stop';
  const usage = {
    prompt_tokens: messages.reduce((sum, message) => sum + approximateTokens(textOf(message.content)), 0),
    completion_tokens: kept.length,
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const id = `chatcmpl-dev-${digest(JSON.stringify(messages)).slice(0, 16)}`;
  const created = Math.floor(Date.now() / 1000);

  if (body.stream !== true) {
    if (switches.stallAfterChunks !== undefined) return stallUntilClosed(response);
    for (let i = 0; i < kept.length && switches.delayMs > 0; i++) await sleep(switches.delayMs);
    return sendJson(response, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: kept.join(''), refusal: null }, finish_reason: finishReason, logprobs: null }],
      usage,
    });
  }

  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  send(chunk({ role: 'assistant', content: '' }, null));
  for (let i = 0; i < kept.length; i++) {
    if (response.destroyed) return;
    if (switches.stallAfterChunks !== undefined && i >= switches.stallAfterChunks) return stallUntilClosed(response);
    if (switches.delayMs > 0) await sleep(switches.delayMs);
    send(chunk({ content: kept[i] }, null));
  }
  send(chunk({}, finishReason));
  if (body.stream_options?.include_usage === true) send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
  response.end('data: [DONE]\n\n');
}

/** Deterministic vectors from the text's hash, unit length; `encoding_format: base64` as the real API. */
function embeddings(response: ServerResponse, body: Record<string, unknown>): void {
  const model = typeof body['model'] === 'string' ? body['model'] : '';
  if (!EMBEDDING_MODELS.includes(model)) return modelNotFound(response, model);
  const inputs = Array.isArray(body['input']) ? body['input'] : [body['input']];
  if (inputs.length === 0 || inputs.some((input) => typeof input !== 'string')) {
    return sendError(response, 400, 'invalid_value', "'input' must be a string or an array of strings", 'invalid_request_error', 'input');
  }
  const dimensions = typeof body['dimensions'] === 'number' && body['dimensions'] > 0 ? Math.min(body['dimensions'], 4096) : DEFAULT_EMBEDDING_DIMENSIONS;
  const base64 = body['encoding_format'] === 'base64';
  const data = (inputs as string[]).map((input, index) => {
    const vector = hashedVector(input, dimensions);
    return { object: 'embedding', index, embedding: base64 ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector) };
  });
  const tokens = (inputs as string[]).reduce((sum, input) => sum + approximateTokens(input), 0);
  sendJson(response, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

function hashedVector(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  let block = Buffer.alloc(0);
  for (let i = 0; i < dimensions; i++) {
    if (i % 8 === 0) block = createHash('sha256').update(`${i}:${text}`).digest();
    vector[i] = block.readInt32LE((i % 8) * 4) / 2 ** 31;
  }
  const norm = Math.hypot(...vector) || 1;
  for (let i = 0; i < dimensions; i++) vector[i] /= norm;
  return vector;
}

/** The answer, one word (with its following space) per chunk: always several chunks. */
function answerChunks(messages: ChatMessage[], prompt: string, words?: number): string[] {
  const userTurns = messages.filter((message) => message.role === 'user').length;
  const cleaned = prompt.replace(/\[dev:[^\]]*\]/g, '').replace(/\s+/g, ' ').trim();
  const echoed = cleaned.length > 200 ? `${cleaned.slice(0, 200)}…` : cleaned;
  const base = `Development model answer ${digest(JSON.stringify(messages)).slice(0, 8)} (${messages.length} messages, ${userTurns} from the user): you said "${echoed}".`;
  let parts = base.split(/(?<= )/);
  if (words !== undefined) {
    const filler = Array.from({ length: Math.max(words - parts.length, 0) }, (_, i) => `word${i + 1} `);
    parts = [...parts, ...filler].slice(0, Math.max(words, 1));
  }
  return parts;
}

function readSwitches(prompt: string): Switches {
  const switches: Switches = { serverError: false, delayMs: 0 };
  for (const match of prompt.matchAll(/\[dev:(\w+)(?::(\d+))?\]/g)) {
    const value = match[2] !== undefined ? Number(match[2]) : undefined;
    if (match[1] === '429') switches.rateLimitSeconds = value ?? 2;
    else if (match[1] === '500') switches.serverError = true;
    else if (match[1] === 'stall') switches.stallAfterChunks = value ?? 2;
    else if (match[1] === 'delay') switches.delayMs = Math.min(value ?? 50, 60_000);
    else if (match[1] === 'words') switches.words = Math.min(value ?? 100, 100_000);
  }
  return switches;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === 'object' && part && 'text' in part ? String((part as { text: unknown }).text) : '')).join('');
  return '';
}

function approximateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function stallUntilClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => response.once('close', () => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function modelNotFound(response: ServerResponse, model: string): void {
  sendError(response, 404, 'model_not_found', `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model');
}

function sendError(response: ServerResponse, status: number, code: string, message: string, type = 'invalid_request_error', param: string | null = null): void {
  sendJson(response, status, { error: { message, type, param, code } });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    return {};
  }
}
