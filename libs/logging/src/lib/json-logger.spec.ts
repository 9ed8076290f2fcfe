import { Writable } from 'node:stream';
import { createJsonLogger, isLevelEnabled, NestJsonLogger } from './json-logger';
import { LogContext } from './log-context';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createJsonLogger({ app: 'test-app', level: 'info', destination }) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('JSON logger', () => {
  it('writes one JSON object per line with the call context mixed in', async () => {
    const { lines, logger } = capture();
    LogContext.run({ trace_id: 't-1', user_id: 'u-1' }, () => {
      logger.info({ event: 'rpc_call', method: 'SYSTEM.ping' });
    });
    logger.info({ event: 'outside' });
    await flush();
    expect(lines[0]).toMatchObject({ app: 'test-app', level: 'info', event: 'rpc_call', trace_id: 't-1', user_id: 'u-1' });
    expect(lines[1]).toMatchObject({ event: 'outside' });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it('never writes secrets', async () => {
    const { lines, logger } = capture();
    logger.info({ event: 'x', token: 'abc', headers: { authorization: 'Bearer abc' }, redis: { password: 'p' } });
    await flush();
    expect(JSON.stringify(lines[0])).not.toMatch(/abc|"p"/);
  });

  it('keeps Nest log calls structured', async () => {
    const { lines, logger } = capture();
    const nest = new NestJsonLogger(logger);
    nest.log('Mapped route', 'RouterExplorer');
    nest.warn({ event: 'slow', ms: 5 }, 'Rpc');
    await flush();
    expect(lines[0]).toMatchObject({ level: 'info', message: 'Mapped route', context: 'RouterExplorer' });
    expect(lines[1]).toMatchObject({ level: 'warn', event: 'slow', ms: 5, context: 'Rpc' });
  });
});

describe('isLevelEnabled', () => {
  it('follows the configured level', () => {
    expect(isLevelEnabled('info', 'debug')).toBe(false);
    expect(isLevelEnabled('info', 'info')).toBe(true);
    expect(isLevelEnabled('debug', 'info')).toBe(true);
    expect(isLevelEnabled('warn', 'info')).toBe(false);
    expect(isLevelEnabled('silent', 'warn')).toBe(false);
  });
});
