import { startChromaServer, ChromaServer } from './chroma-server';
import { DevModelServer, startDevModelServer } from './dev-model-server';
import { FirestoreEmulator, startFirestoreEmulator } from './firestore-emulator';
import { FirebaseDatabaseServer, startFirebaseDatabaseServer } from './firebase-database-server';
import { findFreePort } from './free-port';
import { RedisCluster, startRedisCluster } from './redis-cluster';
import { RedisServer, startRedisServer } from './redis-server';

export interface LocalStackPorts {
  redisPort?: number;
  firestorePort?: number;
  chromaPort?: number;
  /**
   * Run each server in a process group of its own (`npm start`): a Ctrl-C in the terminal then
   * reaches only the apps, which drain while the servers still answer; the owner stops the servers
   * after them with `stop()`.
   */
  ownProcessGroup?: boolean;
  /** Port of the development model server (when OPENAI_API_KEY is unset). */
  devModelPort?: number;
}

export interface LocalStack {
  readonly redis: RedisServer;
  readonly firestore: FirestoreEmulator;
  readonly chroma: ChromaServer;
  /** A 3-node Redis Cluster beside the single node, for the cluster test lane (when asked for). */
  readonly redisCluster?: RedisCluster;
  /** The development model server, started when OPENAI_API_KEY is unset. */
  readonly devModel?: DevModelServer;
  /** The Realtime Database stand-in (firebase-server), always on a free port. */
  readonly realtimeDatabase: FirebaseDatabaseServer;
  /** The environment that points an app (or a test) at this stack. */
  readonly environment: Record<string, string>;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Also start a 3-node Redis Cluster (the tests' cluster lane); its port is SUITE_TEST_CLUSTER_REDIS_PORT. */
  redisCluster?: boolean;
}

/**
 * Starts Redis, the Firestore emulator, Chroma, the Realtime Database stand-in and (when
 * OPENAI_API_KEY is unset) the development model server, each on the given port or a free one.
 */
export async function startLocalStack(ports: LocalStackPorts = {}, firebaseProjectId = 'demo-suite', options: LocalStackOptions = {}): Promise<LocalStack> {
  const [redisPort, firestorePort, chromaPort, devModelPort] = await Promise.all([
    ports.redisPort ?? findFreePort(),
    ports.firestorePort ?? findFreePort(),
    ports.chromaPort ?? findFreePort(),
    ports.devModelPort ?? findFreePort(),
  ]);
  const started = await Promise.allSettled([
    startRedisServer(redisPort, [], { ownProcessGroup: ports.ownProcessGroup }),
    startFirestoreEmulator(firestorePort, { ownProcessGroup: ports.ownProcessGroup }),
    startChromaServer(chromaPort, undefined, { ownProcessGroup: ports.ownProcessGroup }),
    options.redisCluster ? startRedisCluster() : Promise.resolve(undefined),
    process.env['OPENAI_API_KEY'] ? Promise.resolve(undefined) : startDevModelServer(devModelPort, { ownProcessGroup: ports.ownProcessGroup }),
  ]);
  const failures = started.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length > 0) {
    await Promise.all(
      started.map((result) => (result.status === 'fulfilled' && result.value ? result.value.stop() : Promise.resolve())),
    );
    throw new Error(failures.map((failure) => String(failure.reason instanceof Error ? failure.reason.message : failure.reason)).join('\n'));
  }
  const [redis, firestore, chroma, redisCluster, devModel] = started.map((result) => (result as PromiseFulfilledResult<unknown>).value) as [
    RedisServer,
    FirestoreEmulator,
    ChromaServer,
    RedisCluster | undefined,
    DevModelServer | undefined,
  ];
  const realtimeDatabase = await startFirebaseDatabaseServer(await findFreePort(), { ownProcessGroup: ports.ownProcessGroup }).catch(async (error: unknown) => {
    await Promise.all([redis.stop(), firestore.stop(), chroma.stop(), redisCluster?.stop(), devModel?.stop()]);
    throw error;
  });
  return {
    redis,
    firestore,
    chroma,
    redisCluster,
    devModel,
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
      ...(redisCluster ? { SUITE_TEST_CLUSTER_REDIS_HOST: redisCluster.host, SUITE_TEST_CLUSTER_REDIS_PORT: String(redisCluster.port) } : {}),
      ...(devModel ? { OPENAI_BASE_URL: devModel.url } : {}),
    },
    stop: async () => {
      await Promise.all([redis.stop(), firestore.stop(), chroma.stop(), realtimeDatabase.stop(), redisCluster?.stop(), devModel?.stop()]);
    },
  };
}
