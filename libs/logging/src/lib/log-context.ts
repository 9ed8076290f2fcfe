import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields carried into every log line written while a call (RPC, job, event) is being handled. */
export interface LogFields {
  trace_id?: string;
  user_id?: string;
  job_id?: string;
  method?: string;
}

const storage = new AsyncLocalStorage<LogFields>();

export const LogContext = {
  /** Runs `work` with `fields` added to the current context (inner values win). */
  run<T>(fields: LogFields, work: () => T): T {
    return storage.run({ ...storage.getStore(), ...fields }, work);
  },
  current(): LogFields {
    return storage.getStore() ?? {};
  },
  /** Adds fields to the context of the current call (no-op outside one). Cheaper than a nested run. */
  assign(fields: LogFields): void {
    const store = storage.getStore();
    if (store) Object.assign(store, fields);
  },
};
