import { existsSync } from 'node:fs';
import { ManagedProcess, ServerProcessOptions, httpAnswers, startProcess, waitUntilReady } from './managed-process';

const DEFAULT_JAR = '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar';

/** Finds Google's Firestore emulator jar: FIRESTORE_EMULATOR_JAR, else the Debian package's path. */
export function findFirestoreEmulatorJar(environment: NodeJS.ProcessEnv = process.env): string {
  const jar = environment['FIRESTORE_EMULATOR_JAR'] || DEFAULT_JAR;
  if (!existsSync(jar)) {
    throw new Error(
      `The Firestore emulator jar was not found at ${jar}. Install the Debian package ` +
        '"google-cloud-cli-firestore-emulator" (with a Java 17 runtime), or set FIRESTORE_EMULATOR_JAR to the jar.',
    );
  }
  return jar;
}

export interface FirestoreEmulator {
  /** host:port, the form FIRESTORE_EMULATOR_HOST takes. */
  readonly hostPort: string;
  readonly process: ManagedProcess;
  /** Deletes every document of `projectId`. */
  reset(projectId: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startFirestoreEmulator(port: number, options: ServerProcessOptions = {}): Promise<FirestoreEmulator> {
  const jar = findFirestoreEmulatorJar();
  const server = startProcess(`firestore-emulator :${port}`, 'java', [
    '-Xmx512m',
    '-Duser.language=en',
    '-cp', jar,
    'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
    '--host=127.0.0.1',
    `--port=${port}`,
  ], { detached: options.ownProcessGroup });
  const hostPort = `127.0.0.1:${port}`;
  await waitUntilReady(server, () => httpAnswers(`http://${hostPort}/`, /Ok/), 60_000);
  return {
    hostPort,
    process: server,
    reset: async (projectId) => {
      await fetch(`http://${hostPort}/emulator/v1/projects/${projectId}/databases/(default)/documents`, { method: 'DELETE' });
    },
    stop: () => server.stop(),
  };
}
