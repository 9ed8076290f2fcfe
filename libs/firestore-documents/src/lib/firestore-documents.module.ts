import { Module } from '@nestjs/common';
import { FirestoreDocuments } from './firestore-documents';

/** Firestore document operations (needs ConfigModule and FirebaseModule). */
@Module({ providers: [FirestoreDocuments], exports: [FirestoreDocuments] })
export class FirestoreDocumentsModule {}
