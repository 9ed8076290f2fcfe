export { LogContext } from './lib/log-context';
export type { LogFields } from './lib/log-context';
export { createJsonLogger, NestJsonLogger, isLevelEnabled } from './lib/json-logger';
export type { JsonLogger } from './lib/json-logger';
export { asError } from './lib/as-error';
