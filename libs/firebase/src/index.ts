export { FirebaseModule, FIRESTORE, REALTIME_DATABASE, realtimeDatabaseUrl } from './lib/firebase.module';
export type { Firestore } from 'firebase-admin/firestore';
export type { Database, Reference, DataSnapshot } from 'firebase-admin/database';
