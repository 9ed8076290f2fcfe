import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, exportFirebaseDatabaseEmulatorHost, exportFirestoreEmulatorHost } from '@suite/config';
import { App, cert, deleteApp, initializeApp, ServiceAccount } from 'firebase-admin/app';
import { Database, getDatabase } from 'firebase-admin/database';
import { Firestore, getFirestore } from 'firebase-admin/firestore';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Injection token of the app's Firestore client. */
export const FIRESTORE = Symbol('FIRESTORE');
/** Injection token of the app's Realtime Database client. */
export const REALTIME_DATABASE = Symbol('REALTIME_DATABASE');
const FIREBASE_APP = Symbol('FIREBASE_APP');

/** The Realtime Database URL: FIREBASE_DATABASE_URL, the emulator's, or the project's default database. */
export function realtimeDatabaseUrl(config: AppConfig): string {
  if (config.FIREBASE_DATABASE_URL) return config.FIREBASE_DATABASE_URL;
  if (config.FIREBASE_DATABASE_EMULATOR_HOST) return `http://${config.FIREBASE_DATABASE_EMULATOR_HOST}?ns=${config.FIREBASE_PROJECT_ID}`;
  return `https://${config.FIREBASE_PROJECT_ID}-default-rtdb.firebaseio.com`;
}

/**
 * Firebase from AppConfig: the project FIREBASE_PROJECT_ID; the emulators when
 * FIRESTORE_EMULATOR_HOST / FIREBASE_DATABASE_EMULATOR_HOST are set; otherwise the service account
 * of FIREBASE_CREDENTIALS_FILE, or Google's default credentials (GOOGLE_APPLICATION_CREDENTIALS).
 * The Realtime Database client connects on first use only.
 */
@Global()
@Module({
  providers: [
    {
      provide: FIREBASE_APP,
      inject: [AppConfig],
      useFactory: (config: AppConfig): App => {
        exportFirestoreEmulatorHost(config);
        exportFirebaseDatabaseEmulatorHost(config);
        const credential = config.FIREBASE_CREDENTIALS_FILE
          ? cert(JSON.parse(readFileSync(config.FIREBASE_CREDENTIALS_FILE, 'utf8')) as ServiceAccount)
          : undefined;
        // A named app per Nest app, so several can live in one process (tests).
        return initializeApp(
          { projectId: config.FIREBASE_PROJECT_ID, databaseURL: realtimeDatabaseUrl(config), ...(credential ? { credential } : {}) },
          `suite-${randomUUID()}`,
        );
      },
    },
    {
      provide: FIRESTORE,
      inject: [FIREBASE_APP],
      useFactory: (app: App): Firestore => {
        const firestore = getFirestore(app);
        firestore.settings({ ignoreUndefinedProperties: true });
        return firestore;
      },
    },
    {
      provide: REALTIME_DATABASE,
      inject: [FIREBASE_APP],
      useFactory: (app: App): Database => getDatabase(app),
    },
  ],
  exports: [FIRESTORE, REALTIME_DATABASE],
})
export class FirebaseModule implements OnApplicationShutdown {
  constructor(@Inject(FIREBASE_APP) private readonly app: App) {}

  async onApplicationShutdown(): Promise<void> {
    await deleteApp(this.app).catch(() => undefined);
  }
}
