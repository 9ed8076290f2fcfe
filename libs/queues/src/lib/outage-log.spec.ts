import { OUTAGE_LOG_REPEAT_MS, OutageLog } from './outage-log';

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
}

describe('OutageLog', () => {
  let now = 0;
  const lines: Array<{ level: string; line: Record<string, unknown> }> = [];
  const logger = {
    warn: (line: Record<string, unknown>) => lines.push({ level: 'warn', line }),
    log: (line: Record<string, unknown>) => lines.push({ level: 'info', line }),
  };
  const events = () => lines.map(({ line }) => line.event);

  beforeEach(() => {
    now = 1_000_000;
    lines.length = 0;
  });

  it('logs an outage when it starts, then at most every few seconds however many errors come, then its end', () => {
    const log = new OutageLog(logger, { queue: 'default' }, () => now);
    // Four errors a second for twelve seconds, as ioredis reports failed reconnects.
    for (let i = 0; i < 48; i++) {
      log.error(refused());
      now += 250;
    }
    expect(log.unreachable).toBe(true);
    log.recovered();
    expect(events()).toEqual(['redis_unreachable', 'redis_still_unreachable', 'redis_still_unreachable', 'redis_reachable']);
    expect(lines[0].line).toMatchObject({ queue: 'default', error: 'connect ECONNREFUSED 127.0.0.1:6379' });
    expect(lines[1].line).toMatchObject({ for_ms: OUTAGE_LOG_REPEAT_MS, not_logged: 19 });
    expect(lines[3]).toMatchObject({ level: 'info', line: { event: 'redis_reachable', after_ms: 12_000 } });
    expect(log.unreachable).toBe(false);
  });

  it('logs other errors as worker_error, a repeated message at most every few seconds, a new one at once', () => {
    const log = new OutageLog(logger, { queue: 'llm' }, () => now);
    log.error(new Error('ERR unknown command'));
    now += 100;
    log.error(new Error('ERR unknown command'));
    now += 100;
    log.error(new Error('NOSCRIPT'));
    expect(lines.map(({ line }) => [line.event, line.error])).toEqual([
      ['worker_error', 'ERR unknown command'],
      ['worker_error', 'NOSCRIPT'],
    ]);
    expect(log.unreachable).toBe(false);
  });

  it('a recovery without an outage logs nothing; the next outage is logged again', () => {
    const log = new OutageLog(logger, {}, () => now);
    log.recovered();
    log.error(refused());
    log.recovered();
    log.error(refused());
    expect(events()).toEqual(['redis_unreachable', 'redis_reachable', 'redis_unreachable']);
  });
});
