import { Socket } from 'node:net';
import { REPO_ROOT } from '../app-process';
import { ManagedProcess, ServerProcessOptions, startProcess, waitUntilReady } from './managed-process';

export interface FirebaseDatabaseServer {
  /** host:port, the form FIREBASE_DATABASE_EMULATOR_HOST takes. */
  readonly hostPort: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500, () => resolve(false));
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
  });
}

/**
 * A Realtime Database stand-in for tests: npm `firebase-server` (with firebase@7), in its own
 * process, with the "owner" secret that firebase-admin's emulator mode sends. It serves set,
 * update, push, once('value'), transactions, orderByChild/equalTo and live child events; not
 * ref.get(), ServerValue.increment or onDisconnect().
 */
export async function startFirebaseDatabaseServer(port: number, options: ServerProcessOptions = {}): Promise<FirebaseDatabaseServer> {
  const script = `
const FirebaseServer = require('firebase-server');
const server = new FirebaseServer({ port: ${port}, address: '127.0.0.1' }, '127.0.0.1:${port}');
server.setAuthSecret('owner');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
  const server = startProcess(`firebase-server :${port}`, process.execPath, ['-e', script], { cwd: REPO_ROOT, detached: options.ownProcessGroup });
  await waitUntilReady(server, () => portAnswers(port), 20_000);
  return { hostPort: `127.0.0.1:${port}`, process: server, stop: () => server.stop() };
}
