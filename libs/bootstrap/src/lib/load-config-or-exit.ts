import { AppConfig, ConfigValidationError, loadConfig, RequiredSetting } from '@suite/config';

/** Validates the configuration; on a bad value prints which variable is wrong and exits with status 78 (EX_CONFIG). */
export function loadConfigOrExit(app: string, required: RequiredSetting[] = []): AppConfig {
  try {
    return loadConfig(undefined, required);
  } catch (error) {
    const problems = error instanceof ConfigValidationError ? error.problems : [String(error)];
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', app, event: 'config_invalid', message: `${app} cannot start: invalid configuration`, problems })}\n`,
    );
    process.exit(78);
  }
}
