export { FirebaseModule, FIRESTORE } from './lib/firebase.module';
export type { Firestore } from 'firebase-admin/firestore';
