import { startChromaServer, ChromaServer } from './chroma-server';
import { FirestoreEmulator, startFirestoreEmulator } from './firestore-emulator';
import { FirebaseDatabaseServer, startFirebaseDatabaseServer } from './firebase-database-server';
import { findFreePort } from './free-port';
import { RedisServer, startRedisServer } from './redis-server';

export interface LocalStackPorts {
  redisPort?: number;
  firestorePort?: number;
  chromaPort?: number;
}

export interface LocalStack {
  readonly redis: RedisServer;
  readonly firestore: FirestoreEmulator;
  readonly chroma: ChromaServer;
  /** The Realtime Database stand-in (firebase-server), always on a free port. */
  readonly realtimeDatabase: FirebaseDatabaseServer;
  /** The environment that points an app (or a test) at this stack. */
  readonly environment: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts Redis, the Firestore emulator and Chroma together, each on the given port or a free one. */
export async function startLocalStack(ports: LocalStackPorts = {}, firebaseProjectId = 'demo-suite'): Promise<LocalStack> {
  const [redisPort, firestorePort, chromaPort] = await Promise.all([
    ports.redisPort ?? findFreePort(),
    ports.firestorePort ?? findFreePort(),
    ports.chromaPort ?? findFreePort(),
  ]);
  const started = await Promise.allSettled([
    startRedisServer(redisPort),
    startFirestoreEmulator(firestorePort),
    startChromaServer(chromaPort),
  ]);
  const failures = started.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length > 0) {
    await Promise.all(
      started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : Promise.resolve())),
    );
    throw new Error(failures.map((failure) => String(failure.reason instanceof Error ? failure.reason.message : failure.reason)).join('\n'));
  }
  const [redis, firestore, chroma] = started.map((result) => (result as PromiseFulfilledResult<unknown>).value) as [
    RedisServer,
    FirestoreEmulator,
    ChromaServer,
  ];
  const realtimeDatabase = await startFirebaseDatabaseServer(await findFreePort()).catch(async (error: unknown) => {
    await Promise.all([redis.stop(), firestore.stop(), chroma.stop()]);
    throw error;
  });
  return {
    redis,
    firestore,
    chroma,
    realtimeDatabase,
    environment: {
      FIREBASE_DATABASE_EMULATOR_HOST: realtimeDatabase.hostPort,
      LISTENERS_REDIS_HOST: redis.host,
      LISTENERS_REDIS_PORT: String(redis.port),
      FIRESTORE_EMULATOR_HOST: firestore.hostPort,
      FIREBASE_PROJECT_ID: firebaseProjectId,
      GCLOUD_PROJECT: firebaseProjectId,
      CHROMA_HOST: chroma.host,
      CHROMA_PORT: String(chroma.port),
    },
    stop: async () => {
      await Promise.all([redis.stop(), firestore.stop(), chroma.stop(), realtimeDatabase.stop()]);
    },
  };
}
