import { randomUUID } from 'node:crypto';
import { AppConfig, loadConfig } from '@suite/config';

export const TEST_SERVICE_TOKEN = 'test-service-token-0123456789';

/**
 * The configuration a test app runs with: the shared local stack started by the jest global setup
 * (its addresses are in the environment), a known service token, and the test's overrides.
 */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    ...process.env,
    LISTENERS_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    PORT: '0',
    ...overrides,
  });
}

/** An id no other test uses, so tests share one Redis without touching each other's keys. */
export function uniqueId(prefix = 'id'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
