export { LlmSessionsModule } from './lib/llm-sessions.module';
export { LlmSessionService, sessionKeyOf } from './lib/llm-session.service';
export type { InitializeResult, InitializeStatus, DataSource } from './lib/llm-session.service';
export { toRpcError, noSession, unknownThread } from './lib/llm-session-errors';
export { FIRESTORE_PATHS, DEFAULT_DEPARTMENT, ClientNotFoundError, SessionDataLoader } from './lib/session-data.loader';
export { computeJobsMetrics } from './lib/jobs-metrics';
export type { CachedContext, JobsByDepartment, JobRecord, JobsMetrics } from './lib/session-data.types';
