import { ConfigValidationError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.LISTENERS_REDIS_HOST).toBe('127.0.0.1');
    expect(config.LISTENERS_REDIS_PORT).toBe(6379);
    expect(config.LISTENERS_REDIS_TLS).toBe(false);
    expect(config.LISTENERS_CHANNEL_PREFIX).toBe('user:');
    expect(config.UNIFIED_REGISTRY_ENABLED).toBe(false);
    expect(config.WORKER_QUEUES).toEqual(['default', 'computation', 'llm', 'maintenance']);
    expect(config.RPC_DEFAULT_TIMEOUT_MS).toBe(120_000);
  });

  it('parses the seeds variables from their string form', () => {
    const config = loadConfig({
      LISTENERS_REDIS_HOST: 'cache.example',
      LISTENERS_REDIS_PORT: '6380',
      LISTENERS_REDIS_TLS: 'true',
      LISTENERS_REDIS_DB: '3',
      LISTENERS_REDIS_PASSWORD: '',
      UNIFIED_REGISTRY_ENABLED: 'TRUE',
      REGISTRY_DEBUG: '0',
      WORKER_QUEUES: 'llm, computation',
      LISTENERS_SERVICE_TOKEN: 'a-token-of-sixteen-chars',
    });
    expect(config.LISTENERS_REDIS_HOST).toBe('cache.example');
    expect(config.LISTENERS_REDIS_PORT).toBe(6380);
    expect(config.LISTENERS_REDIS_TLS).toBe(true);
    expect(config.LISTENERS_REDIS_DB).toBe(3);
    expect(config.LISTENERS_REDIS_PASSWORD).toBeUndefined();
    expect(config.UNIFIED_REGISTRY_ENABLED).toBe(true);
    expect(config.REGISTRY_DEBUG).toBe(false);
    expect(config.WORKER_QUEUES).toEqual(['llm', 'computation']);
  });

  it.each([
    ['LISTENERS_REDIS_PORT', 'sixty'],
    ['LISTENERS_REDIS_PORT', '70000'],
    ['LISTENERS_REDIS_TLS', 'maybe'],
    ['LISTENERS_REDIS_DB', '1.5'],
    ['WORKER_QUEUES', 'default,video'],
    ['LISTENERS_SERVICE_TOKEN', 'short'],
    ['FIRESTORE_EMULATOR_HOST', 'no-port'],
    ['QUEUE_PREFIX', 'bq'],
  ])('rejects %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^\\s+- ${name}:`, 'm'));
  });

  it('names a variable that the app requires and is missing', () => {
    expect(() => loadConfig({}, ['LISTENERS_SERVICE_TOKEN'])).toThrow(/LISTENERS_SERVICE_TOKEN: is required/);
  });

  it('lists every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', LISTENERS_REDIS_TLS: 'y' });
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      const names = (error as ConfigValidationError).problems.map((problem) => problem.split(':')[0]);
      expect(names.sort()).toEqual(['LISTENERS_REDIS_TLS', 'PORT']);
    }
  });
});
