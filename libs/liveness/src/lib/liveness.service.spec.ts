import { Logger } from '@nestjs/common';
import type { AppConfig } from '@suite/config';
import type { RedisConnections } from '@suite/redis';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstanceIdentity } from './instance-identity';
import { LivenessService } from './liveness.service';

/** A Redis whose health answers ok and whose MULTI answers with the given exec(). */
function redisWithExec(exec: () => Promise<unknown>): RedisConnections {
  const multi = { zadd: () => multi, zremrangebyscore: () => multi, exec };
  return { health: async () => 'ok', command: { multi: () => multi } } as unknown as RedisConnections;
}

describe('LivenessService.beat', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'liveness-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const service = (redis: RedisConnections) =>
    new LivenessService({ LIVENESS_DIR: dir, LIVENESS_INTERVAL_MS: 5000 } as AppConfig, redis, new InstanceIdentity('test-app'));

  it('writes no liveness file when a command inside the MULTI failed', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const beat = service(redisWithExec(async () => [[null, 1], [new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), null]]));
      await expect(beat.beat()).resolves.toBe(false);
      expect(await readdir(dir)).toEqual([]);
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ event: 'liveness_beat_failed', error: expect.stringMatching(/WRONGTYPE/) }));
    } finally {
      warn.mockRestore();
    }
  });

  it('a rejection that is not an Error is logged, not thrown from the timer callback', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await expect(service(redisWithExec(() => Promise.reject(undefined))).beat()).resolves.toBe(false);
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ event: 'liveness_beat_failed', error: 'undefined' }));
    } finally {
      warn.mockRestore();
    }
  });

  it('a reader never sees a half-written liveness file, and no temporary file is left', async () => {
    const beating = service(redisWithExec(async () => [[null, 1], [null, 0]]));
    await beating.beat();
    const file = join(dir, 'test-app.alive');
    let writing = true;
    const beats = (async () => {
      for (let index = 0; index < 200; index += 1) await beating.beat();
      writing = false;
    })();
    const unreadable: string[] = [];
    while (writing) {
      const text = await readFile(file, 'utf8');
      try {
        JSON.parse(text);
      } catch {
        unreadable.push(text);
      }
    }
    await beats;
    expect(unreadable).toEqual([]);
    expect(await readdir(dir)).toEqual(['test-app.alive']);
  });

  it('beats when every command succeeded', async () => {
    await expect(service(redisWithExec(async () => [[null, 1], [null, 0]])).beat()).resolves.toBe(true);
    expect(await readdir(dir)).toEqual(['test-app.alive']);
  });
});
