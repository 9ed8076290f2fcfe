import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields carried into every log line written while a call (RPC, job, event) is being handled. */
export interface LogFields {
  trace_id?: string;
  user_id?: string;
  job_id?: string;
  method?: string;
}

const storage = new AsyncLocalStorage<LogFields>();

/** Every store has all four fields (some undefined): one object shape, so later assigns stay cheap on the hot path. */
function storeOf(parent: LogFields | undefined, fields: LogFields): LogFields {
  return {
    trace_id: fields.trace_id ?? parent?.trace_id,
    user_id: fields.user_id ?? parent?.user_id,
    job_id: fields.job_id ?? parent?.job_id,
    method: fields.method ?? parent?.method,
  };
}

export const LogContext = {
  /** Runs `work` with `fields` added to the current context (inner values win). */
  run<T>(fields: LogFields, work: () => T): T {
    return storage.run(storeOf(storage.getStore(), fields), work);
  },
  /** Runs `work` outside any call's context: what it schedules does not carry the current call's fields. */
  outside<T>(work: () => T): T {
    return storage.exit(work);
  },
  current(): LogFields {
    return storage.getStore() ?? {};
  },
  /** Adds fields to the context of the current call (no-op outside one). Cheaper than a nested run. */
  assign(fields: LogFields): void {
    const store = storage.getStore();
    if (!store) return;
    if (fields.trace_id !== undefined) store.trace_id = fields.trace_id;
    if (fields.user_id !== undefined) store.user_id = fields.user_id;
    if (fields.job_id !== undefined) store.job_id = fields.job_id;
    if (fields.method !== undefined) store.method = fields.method;
  },
};
