import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { AppConfig, RequiredSetting } from './app-config';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

type Environment = Record<string, string | undefined>;

function describe(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).join('; ');
  return `${error.property}: ${reasons}`;
}

/**
 * Builds the validated configuration from the environment. Only variables the class declares are
 * read; unset ones take their defaults. Throws ConfigValidationError naming every bad variable.
 */
export function loadConfig(environment: Environment = process.env, required: RequiredSetting[] = []): AppConfig {
  const declared = Object.keys(new AppConfig());
  const known: Record<string, string> = {};
  for (const name of [...declared, 'LISTENERS_SERVICE_TOKEN', 'LISTENERS_REDIS_PASSWORD', 'FIRESTORE_EMULATOR_HOST', 'OPENAI_API_KEY', 'OPENAI_BASE_URL']) {
    const value = environment[name];
    if (value !== undefined) known[name] = value;
  }
  const config = plainToInstance(AppConfig, known);
  const problems = validateSync(config, { forbidUnknownValues: true }).map(describe);
  for (const name of required) {
    if (config[name] === undefined) problems.push(`${name}: is required by this app`);
  }
  if (config.RPC_DEFAULT_TIMEOUT_MS > config.RPC_MAX_TIMEOUT_MS) {
    problems.push('RPC_DEFAULT_TIMEOUT_MS: must not exceed RPC_MAX_TIMEOUT_MS');
  }
  if (config.EMBEDDING_PROVIDER === 'openai' && !config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
    problems.push('EMBEDDING_PROVIDER: openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server)');
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

/**
 * The Firebase SDKs find the Firestore emulator only through the FIRESTORE_EMULATOR_HOST
 * environment variable (it also switches them to emulator credentials), so the validated value is
 * handed to them that way.
 */
export function exportFirestoreEmulatorHost(config: AppConfig): void {
  if (config.FIRESTORE_EMULATOR_HOST) process.env['FIRESTORE_EMULATOR_HOST'] = config.FIRESTORE_EMULATOR_HOST;
}

/** The same for the Realtime Database emulator (FIREBASE_DATABASE_EMULATOR_HOST; firebase-server in tests). */
export function exportFirebaseDatabaseEmulatorHost(config: AppConfig): void {
  if (config.FIREBASE_DATABASE_EMULATOR_HOST) process.env['FIREBASE_DATABASE_EMULATOR_HOST'] = config.FIREBASE_DATABASE_EMULATOR_HOST;
}
