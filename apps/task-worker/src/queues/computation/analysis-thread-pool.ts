import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import type { AnalysisStep, DocumentAnalysis } from '@suite/document-analysis';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisMessage } from './analysis-thread-messages';

interface Pending {
  onStep: (step: AnalysisStep, index: number) => void;
  resolve: (result: DocumentAnalysis) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  busy: number | null;
}

/** The bundled thread (production build) or its TypeScript source run through SWC (npm start, tests). */
function threadEntry(): { file: string; execArgv: string[] } {
  const bundled = join(__dirname, 'analysis.thread.js');
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  return { file: join(__dirname, 'analysis.thread.ts'), execArgv: ['-r', '@swc-node/register'] };
}

/** A small pool of worker threads for document analysis (WORKER_CPU_THREADS). */
@Injectable()
export class AnalysisThreadPool implements OnApplicationShutdown {
  private readonly threads: Thread[] = [];
  private readonly waiting: Array<() => void> = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly config: AppConfig) {}

  async analyze(text: string, onStep: Pending['onStep'], signal: AbortSignal): Promise<DocumentAnalysis> {
    const thread = await this.acquire();
    const id = this.nextId++;
    thread.busy = id;
    let onAbort: (() => void) | undefined;
    try {
      return await new Promise<DocumentAnalysis>((resolve, reject) => {
        this.pending.set(id, { onStep, resolve, reject });
        onAbort = () => {
          // A busy thread cannot be interrupted cooperatively: replace it.
          this.pending.delete(id);
          this.replace(thread);
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        thread.worker.postMessage({ id, text });
      });
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      this.pending.delete(id);
      thread.busy = null;
      this.waiting.shift()?.();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.worker.terminate()));
  }

  private async acquire(): Promise<Thread> {
    for (;;) {
      const idle = this.threads.find((thread) => thread.busy === null);
      if (idle) return idle;
      if (this.threads.length < this.config.WORKER_CPU_THREADS) return this.spawn();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private spawn(): Thread {
    const { file, execArgv } = threadEntry();
    const worker = new Worker(file, { execArgv });
    const thread: Thread = { worker, busy: null };
    worker.on('message', (message: AnalysisMessage) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      if (message.kind === 'step') pending.onStep(message.step, message.index);
      else if (message.kind === 'done') pending.resolve(message.result);
      else pending.reject(new Error(message.message));
    });
    worker.on('error', (error) => {
      if (thread.busy !== null) this.pending.get(thread.busy)?.reject(error);
      this.replace(thread);
    });
    worker.on('exit', (code) => {
      if (thread.busy !== null) this.pending.get(thread.busy)?.reject(new Error(`analysis thread exited (${code})`));
      this.replace(thread);
    });
    worker.unref();
    this.threads.push(thread);
    return thread;
  }

  private replace(thread: Thread): void {
    const index = this.threads.indexOf(thread);
    if (index >= 0) this.threads.splice(index, 1);
    void thread.worker.terminate();
  }
}
