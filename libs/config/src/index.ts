export { AppConfig, QUEUE_NAMES, LOG_LEVELS } from './lib/app-config';
export type { QueueName, LogLevel, RequiredSetting } from './lib/app-config';
export { loadConfig, ConfigValidationError, exportFirestoreEmulatorHost, exportFirebaseDatabaseEmulatorHost } from './lib/load-config';
export { ConfigModule } from './lib/config.module';
