import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, exportFirestoreEmulatorHost } from '@suite/config';
import { App, deleteApp, initializeApp } from 'firebase-admin/app';
import { Firestore, getFirestore } from 'firebase-admin/firestore';
import { randomUUID } from 'node:crypto';

/** Injection token of the app's Firestore client. */
export const FIRESTORE = Symbol('FIRESTORE');
const FIREBASE_APP = Symbol('FIREBASE_APP');

/**
 * Firebase from AppConfig: the project FIREBASE_PROJECT_ID, the emulator when
 * FIRESTORE_EMULATOR_HOST is set, otherwise Google's default credentials
 * (GOOGLE_APPLICATION_CREDENTIALS in production).
 */
@Global()
@Module({
  providers: [
    {
      provide: FIREBASE_APP,
      inject: [AppConfig],
      useFactory: (config: AppConfig): App => {
        exportFirestoreEmulatorHost(config);
        // A named app per Nest app, so several can live in one process (tests).
        return initializeApp({ projectId: config.FIREBASE_PROJECT_ID }, `suite-${randomUUID()}`);
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
  ],
  exports: [FIRESTORE],
})
export class FirebaseModule implements OnApplicationShutdown {
  constructor(@Inject(FIREBASE_APP) private readonly app: App) {}

  async onApplicationShutdown(): Promise<void> {
    await deleteApp(this.app).catch(() => undefined);
  }
}
