import { INSTANCES_KEY } from '@suite/redis-namespaces';
import { testRedisClient } from './test-redis';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitOf, spawnApp } from './app-process';
import { useIsolatedRedis } from './isolated-redis';
import { waitFor } from './wait-for';

/**
 * The liveness contract of an app without HTTP, checked on its real process: it beats (liveness
 * file and instance record) while Redis answers, and exits 0 on SIGTERM, removing both.
 * The app gets a Redis of its own: on the shared one it would take other test files' jobs or
 * users, and its SIGTERM would wait for them.
 */
export function describeWorkerAppLiveness(app: string): void {
  describe(`${app} process liveness`, () => {
    useIsolatedRedis();

    it('boots, beats, and leaves cleanly on SIGTERM', async () => {
      const livenessDir = mkdtempSync(join(tmpdir(), `${app}-`));
      const file = join(livenessDir, `${app}.alive`);
      const redis = testRedisClient();
      const child = spawnApp(app, { LIVENESS_DIR: livenessDir, LIVENESS_INTERVAL_MS: '1000' });
      try {
        await waitFor(() => existsSync(file), `${app} to write its liveness file`, 30_000, 100);
        const record = JSON.parse(readFileSync(file, 'utf8'));
        expect(record).toMatchObject({ app, pid: child.child.pid });
        const firstBeat = statSync(file).mtimeMs;
        await waitFor(() => existsSync(file) && statSync(file).mtimeMs > firstBeat, `${app} to beat again`, 5000, 100);
        const instances = (await redis.zrange(INSTANCES_KEY, 0, -1)).map((member) => JSON.parse(member));
        expect(instances).toContainEqual(expect.objectContaining({ app, pid: child.child.pid }));

        child.child.kill('SIGTERM');
        expect(await exitOf(child)).toBe(0);
        expect(existsSync(file)).toBe(false);
        const after = (await redis.zrange(INSTANCES_KEY, 0, -1)).map((member) => JSON.parse(member));
        expect(after).not.toContainEqual(expect.objectContaining({ pid: child.child.pid }));
      } finally {
        await child.kill();
        redis.disconnect();
      }
    }, 90_000); // a boot compiled on the fly on a loaded 2-core machine, then a drain

    it('refuses to start with a bad variable, naming it', async () => {
      const child = spawnApp(app, { LISTENERS_REDIS_PORT: 'not-a-port' });
      expect(await exitOf(child)).toBe(78);
      expect(child.output()).toContain('LISTENERS_REDIS_PORT');
    });
  });
}
