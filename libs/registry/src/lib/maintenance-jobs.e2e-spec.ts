import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { Firestore, FIRESTORE, FirebaseModule } from '@suite/firebase';
import { RedisConnections, RedisModule } from '@suite/redis';
import { testConfig, uniqueId, useIsolatedRedis, waitFor } from '@suite/testing';
import { ChromaCollectionRegistry } from './chroma-collection-registry';
import { ChromaRegistrationExpiry } from './chroma-registration-expiry';
import { PresenceExpiry } from './presence-expiry';
import { PresenceMirror } from './presence-mirror';
import { PresenceRegistry } from './presence-registry';
import { RegistryModule } from './registry.module';
import { UnifiedRegistry } from './unified-registry';

// A Redis of this file's own: expiry acts on every stale user, so exact counts need no other test's.
useIsolatedRedis();

async function registryModule(overrides: Record<string, string> = {}): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(testConfig({ UNIFIED_REGISTRY_ENABLED: 'true', ...overrides })), RedisModule, FirebaseModule, RegistryModule],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

const MINUTES_AGO = (minutes: number) => Date.now() - minutes * 60_000;

describe('maintenance of the registry against real Redis and the Firestore emulator', () => {
  // Two instances, as two task workers (or a worker and a gateway) would be.
  let first: TestingModule;
  let second: TestingModule;
  let redis: RedisConnections;
  let firestore: Firestore;

  beforeAll(async () => {
    [first, second] = await Promise.all([registryModule(), registryModule()]);
    redis = first.get(RedisConnections);
    firestore = first.get(FIRESTORE);
  });

  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  const mirrored = async (userId: string) => (await firestore.collection('listeners_registry').doc(userId).get()).data();

  /** A user who logged in (record, presence, mirror `online`) and whose last heartbeat is `lastBeatMs`. */
  async function loggedIn(lastBeatMs: number): Promise<string> {
    const user = uniqueId('u');
    await first.get(PresenceRegistry).registerUser(user, uniqueId('s'));
    await first.get(PresenceMirror).flush();
    await redis.command.zadd('registry:presence', lastBeatMs, user);
    return user;
  }

  describe('presence_expiry', () => {
    it('turns a stale user offline in the registry and in Firestore, keeps its session, and leaves fresh users alone', async () => {
      const staleScore = MINUTES_AGO(5);
      const [stale, fresh] = [await loggedIn(staleScore), await loggedIn(Date.now())];

      const report = await first.get(PresenceExpiry).expireStalePresence();

      expect(report).toEqual({ users_offline: 1, heartbeat_raced: 0, mirror_failed: 0 });
      expect(await redis.command.zscore('registry:presence', stale)).toBeNull();
      expect((await first.get(UnifiedRegistry).getUserRegistry(stale))?.user_info.status).toBe('offline');
      expect(await mirrored(stale)).toMatchObject({ status: 'offline', heartbeat_at: new Date(staleScore).toISOString() });
      expect(await first.get(PresenceRegistry).isOnline(fresh)).toBe(true);
      expect(await mirrored(fresh)).toMatchObject({ status: 'online' });

      // The session stays: the user's next heartbeat makes it online again, in both places.
      expect((await first.get(PresenceRegistry).heartbeat(stale)).success).toBe(true);
      await first.get(PresenceMirror).flush();
      expect(await first.get(PresenceRegistry).isOnline(stale)).toBe(true);
      expect(await mirrored(stale)).toMatchObject({ status: 'online' });
    });

    it('two instances expiring at once turn each stale user offline once', async () => {
      const users = await Promise.all(Array.from({ length: 30 }, () => loggedIn(MINUTES_AGO(3))));

      const reports = await Promise.all([first.get(PresenceExpiry).expireStalePresence(), second.get(PresenceExpiry).expireStalePresence()]);

      expect(reports[0].users_offline + reports[1].users_offline).toBe(30);
      expect(reports.map((report) => report.heartbeat_raced + report.mirror_failed)).toEqual([0, 0]);
      const documents = await Promise.all(users.map(mirrored));
      expect(documents.map((document) => document?.status)).toEqual(users.map(() => 'offline'));
      expect(await redis.command.zmscore('registry:presence', ...users)).toEqual(users.map(() => null));
    });

    it('a heartbeat landing after the user was claimed keeps it online in Redis and in Firestore', async () => {
      const user = await loggedIn(MINUTES_AGO(2));
      const mirror = first.get(PresenceMirror);
      const markLapsed = mirror.markLapsed.bind(mirror);
      // The gateway (the other instance) takes a heartbeat between the claim and the offline mirror.
      jest.spyOn(mirror, 'markLapsed').mockImplementationOnce(async (...args) => {
        await second.get(PresenceRegistry).heartbeat(user);
        return markLapsed(...args);
      });

      const report = await first.get(PresenceExpiry).expireStalePresence();
      await second.get(PresenceMirror).flush();

      expect(report).toEqual({ users_offline: 0, heartbeat_raced: 1, mirror_failed: 0 });
      expect(await first.get(PresenceRegistry).isOnline(user)).toBe(true);
      expect(await mirrored(user)).toMatchObject({ status: 'online' });
    });

    it('a heartbeat landing inside the offline transaction, after its check, still ends online in Firestore', async () => {
      const user = await loggedIn(MINUTES_AGO(2));
      const command = redis.command;
      const zscore = command.zscore;
      // The transaction's check reads "still lapsed"; the heartbeat (and its online write) come right after it.
      command.zscore = (async (...args: Parameters<typeof zscore>) => {
        const score = await zscore.apply(command, args);
        if (args[1] === user) {
          command.zscore = zscore;
          await second.get(PresenceRegistry).heartbeat(user);
        }
        return score;
      }) as typeof zscore;
      try {
        await first.get(PresenceExpiry).expireStalePresence();
      } finally {
        command.zscore = zscore;
      }
      await second.get(PresenceMirror).flush();

      expect(await first.get(PresenceRegistry).isOnline(user)).toBe(true);
      await waitFor(async () => (await mirrored(user))?.['status'] === 'online', 'the heartbeat to win in Firestore', 5000, 100);
    });

    it('when Firestore fails, the user is put back with its old heartbeat, to be expired by the next run', async () => {
      const score = MINUTES_AGO(4);
      const user = await loggedIn(score);
      const unreachable = await registryModule({ FIRESTORE_EMULATOR_HOST: '127.0.0.1:1' });
      try {
        const report = await unreachable.get(PresenceExpiry).expireStalePresence();
        expect(report).toEqual({ users_offline: 0, heartbeat_raced: 0, mirror_failed: 1 });
      } finally {
        await unreachable.close();
      }
      expect(Number(await redis.command.zscore('registry:presence', user))).toBe(score);
      expect(await mirrored(user)).toMatchObject({ status: 'online' });

      expect(await first.get(PresenceExpiry).expireStalePresence()).toMatchObject({ users_offline: 1 });
      expect(await mirrored(user)).toMatchObject({ status: 'offline' });
    }, 40_000);
  });

  describe('chroma_registration_expiry', () => {
    it("drops from the user's record the collections whose registration expired", async () => {
      const user = await loggedIn(Date.now());
      const collections = first.get(ChromaCollectionRegistry);
      await collections.register(user, 'kept', 's');
      await collections.register(user, 'gone', 's');
      await redis.command.del(`registry:chroma:${user}:gone`); // as if its 90 s ran out

      const report = await first.get(ChromaRegistrationExpiry).removeExpired();

      expect(report.registrations_removed).toBe(1);
      expect((await first.get(UnifiedRegistry).getUserRegistry(user))?.services.chroma.collections).toEqual(['kept']);
      expect(await collections.get(user, 'kept')).not.toBeNull();
    });

    it('keeps a collection registered again while its old registration was being dropped', async () => {
      const user = await loggedIn(Date.now());
      const collections = first.get(ChromaCollectionRegistry);
      await collections.register(user, 'again', 's');
      await redis.command.del(`registry:chroma:${user}:again`);
      const command = redis.command;
      const srem = command.srem;
      command.srem = (async (...args: Parameters<typeof srem>) => {
        command.srem = srem;
        await second.get(ChromaCollectionRegistry).register(user, 'again', 's2');
        return srem.apply(command, args);
      }) as typeof srem;
      try {
        expect((await first.get(ChromaRegistrationExpiry).removeExpired()).registrations_removed).toBe(0);
      } finally {
        command.srem = srem;
      }
      expect((await first.get(UnifiedRegistry).getUserRegistry(user))?.services.chroma.collections).toEqual(['again']);
      expect(await redis.command.ttl(`registry:unified:${user}:chroma_collections`)).toBeGreaterThan(0);
    });
  });
});
