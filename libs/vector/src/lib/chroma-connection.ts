import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { asError } from '@suite/logging';
import { ChromaClient, ChromaConnectionError, ChromaNotFoundError, ChromaServerError, ChromaClientError, ChromaValueError, Collection } from 'chromadb';
import { VectorError } from './vector-errors';

export type ChromaStatus = 'ok' | 'error';

/**
 * The one Chroma client of an instance, built from config (CHROMA_HOST, CHROMA_PORT, CHROMA_SSL,
 * CHROMA_TENANT, CHROMA_DATABASE, CHROMA_HEADERS). Every call goes through `call`, which bounds
 * it by CHROMA_TIMEOUT_MS and the caller's signal and turns a server that is down, stuck or
 * failing into UNAVAILABLE with a retry time. Nothing is kept about the server's state but the
 * max batch size, so a restarted server is used again by the next call.
 */
@Injectable()
export class ChromaConnection implements OnModuleDestroy {
  private readonly logger = new Logger('Chroma');
  readonly client: ChromaClient;
  readonly url: string;
  private maxBatch?: number;

  constructor(private readonly config: AppConfig) {
    this.url = `${config.CHROMA_SSL ? 'https' : 'http'}://${config.CHROMA_HOST}:${config.CHROMA_PORT}`;
    this.client = new ChromaClient({
      host: config.CHROMA_HOST,
      port: config.CHROMA_PORT,
      ssl: config.CHROMA_SSL,
      tenant: config.CHROMA_TENANT,
      database: config.CHROMA_DATABASE,
      headers: Object.keys(config.CHROMA_HEADERS).length > 0 ? config.CHROMA_HEADERS : undefined,
    });
  }

  onModuleDestroy(): void {
    this.maxBatch = undefined;
  }

  /**
   * Runs one Chroma request. A request still unanswered after CHROMA_TIMEOUT_MS (or when `signal`
   * aborts) is given up: the caller gets UNAVAILABLE (or its own abort) without waiting for it.
   */
  async call<T>(operation: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const bounded = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.unavailable(operation, `Chroma did not answer within ${this.config.CHROMA_TIMEOUT_MS} ms`)), this.config.CHROMA_TIMEOUT_MS);
      onAbort = () => reject(signal?.reason ?? new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const request = run();
    request.catch(() => undefined); // settled after a timeout: nobody awaits it any more
    try {
      return await Promise.race([request, bounded]);
    } catch (error) {
      throw this.translate(operation, error);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Records per write: the server's max_batch_size (read once), capped by CHROMA_MAX_BATCH_SIZE. */
  async maxBatchSize(signal?: AbortSignal): Promise<number> {
    if (this.maxBatch === undefined) {
      const fromServer = await this.call('max_batch_size', () => this.client.getMaxBatchSize(), signal);
      const cap = this.config.CHROMA_MAX_BATCH_SIZE;
      this.maxBatch = fromServer > 0 ? (cap > 0 ? Math.min(cap, fromServer) : fromServer) : cap > 0 ? cap : 1000;
    }
    return this.maxBatch;
  }

  /**
   * Whether the server answers `GET /api/v2/version` within `timeoutMs`, with CHROMA_HEADERS (its
   * auth), for /debug. A plain fetch rather than the client: the request itself is aborted at the
   * deadline, so a stuck server does not collect probes.
   */
  async health(timeoutMs = 1000): Promise<{ status: ChromaStatus; url: string; version?: string }> {
    try {
      const response = await fetch(`${this.url}/api/v2/version`, { headers: this.config.CHROMA_HEADERS, signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) return { status: 'error', url: this.url };
      return { status: 'ok', url: this.url, version: String(await response.json()) };
    } catch {
      return { status: 'error', url: this.url };
    }
  }

  getCollection(name: string, signal?: AbortSignal): Promise<Collection> {
    return this.call('get_collection', () => this.client.getCollection({ name, embeddingFunction: undefined }), signal);
  }

  unavailable(operation: string, reason: string): VectorError {
    return new VectorError('UNAVAILABLE', `the vector store is unavailable (${operation}): ${reason}`, this.config.CHROMA_RETRY_AFTER_MS);
  }

  private translate(operation: string, error: unknown): unknown {
    if (error instanceof VectorError) return error;
    if (error instanceof ChromaNotFoundError) return new VectorError('NOT_FOUND', 'the collection was not found');
    if (error instanceof ChromaConnectionError || error instanceof ChromaServerError || isNetworkError(error)) {
      this.logger.warn({ event: 'chroma_error', operation, err: asError(error) });
      return this.unavailable(operation, 'Chroma cannot be reached');
    }
    if (error instanceof ChromaClientError || error instanceof ChromaValueError) {
      // The server refused the request: our validation let something through; say what Chroma said.
      return new VectorError('INVALID_ARGS', `Chroma refused the request: ${stripUrl(error.message)}`);
    }
    return error;
  }
}

function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed|network/i.test(error.message);
}

/** Chroma's messages carry the request URL (tenant, database, collection id): keep only the reason. */
function stripUrl(message: string): string {
  return message.replace(/^Bad request to \S+ with status: /, '').slice(0, 500);
}
