import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { RedisConnections, RedisModule } from '@suite/redis';
import { testConfig, uniqueId } from '@suite/testing';
import { RateDecision, RateLimiter } from './rate-limiter';

/** Limiters of separate gateway instances: each has its own local allowances, all share one Redis. */
async function startLimiters(count: number, overrides: Record<string, string>): Promise<{ limiters: RateLimiter[]; close: () => Promise<void> }> {
  const modules: TestingModule[] = [];
  for (let i = 0; i < count; i++) {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(testConfig(overrides)), RedisModule],
      providers: [RateLimiter],
    }).compile();
    await moduleRef.init();
    await moduleRef.get(RedisConnections).connect();
    modules.push(moduleRef);
  }
  return {
    limiters: modules.map((moduleRef) => moduleRef.get(RateLimiter)),
    close: async () => {
      await Promise.all(modules.map((moduleRef) => moduleRef.close()));
    },
  };
}

describe('RateLimiter against a real Redis', () => {
  it('never admits more than the limit across instances, however many calls race for it', async () => {
    const { limiters, close } = await startLimiters(3, { RPC_RATE_LIMIT_PER_MINUTE: '1000', RPC_RATE_LIMIT_BATCH: '10' });
    try {
      const scope = uniqueId('racing');
      const now = Date.now();
      const decisions: RateDecision[] = [];
      // Bursts of concurrent calls spread over the instances, so batches grow and reservations overlap.
      for (let burst = 0; burst < 30; burst++) {
        const calls = Array.from({ length: 100 }, (_, call) => limiters[(burst + call) % limiters.length].consume(scope, now));
        decisions.push(...(await Promise.all(calls)));
      }
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(1000);
      expect(decisions.filter((decision) => !decision.allowed)).toHaveLength(2000);
    } finally {
      await close();
    }
  });

  it("keeps a busy caller's calls off Redis: its batch grows until reservations stay ahead of it", async () => {
    const { limiters, close } = await startLimiters(1, { RPC_RATE_LIMIT_PER_MINUTE: '1000000', RPC_RATE_LIMIT_BATCH: '10' });
    try {
      const [limiter] = limiters;
      const scope = uniqueId('busy');
      const now = Date.now();
      const waitedPerRound: number[] = [];
      for (let round = 0; round < 12; round++) {
        // 50 calls in one tick, far more than a batch of 10: with a fixed batch most would wait for Redis.
        const decisions = Array.from({ length: 50 }, () => limiter.consume(scope, now));
        waitedPerRound.push(decisions.filter((decision) => decision instanceof Promise).length);
        expect((await Promise.all(decisions)).every((decision) => decision.allowed)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(waitedPerRound[0]).toBe(50);
      expect(waitedPerRound.slice(-4)).toEqual([0, 0, 0, 0]);
    } finally {
      await close();
    }
  });

  it('refuses once the window is spent, with the time left in the window', async () => {
    const { limiters, close } = await startLimiters(1, { RPC_RATE_LIMIT_PER_MINUTE: '5', RPC_RATE_LIMIT_BATCH: '20' });
    try {
      const [limiter] = limiters;
      const scope = uniqueId('capped');
      const now = Date.now();
      const decisions = [];
      for (let i = 0; i < 7; i++) decisions.push(await limiter.consume(scope, now));
      expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, true, true, false, false]);
      const refused = decisions[6];
      expect(refused.allowed).toBe(false);
      if (!refused.allowed) {
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
      }
    } finally {
      await close();
    }
  });
});
