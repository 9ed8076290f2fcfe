import { Inject, Injectable } from '@nestjs/common';
import { Firestore, FIRESTORE } from '@suite/firebase';
import { isSafeKeyPart } from '@suite/redis-namespaces';
import type { TypedValue } from '@suite/session-state';
import { plainFirestoreDocument } from './firestore-values';
import type { JobsByDepartment } from './session-data.types';

/** Where a session's data lives in Firestore. */
export const FIRESTORE_PATHS = {
  client: (userId: string) => `clients/${userId}`,
  company: (userId: string, companyId: string) => `clients/${userId}/companies/${companyId}`,
  jobs: (userId: string) => `clients/${userId}/task_manager`,
} as const;

/** Department of a job without one (or with one that cannot be part of a key). */
export const DEFAULT_DEPARTMENT = 'general';

/** The user's profile is missing from Firestore. */
export class ClientNotFoundError extends Error {
  constructor(readonly userId: string) {
    super(`client ${userId}`);
  }
}

/**
 * Reads what an LLM session needs from Firestore, in parallel: the client document, its company
 * document, and its jobs (`task_manager`) grouped by `department`. Jobs that name another company
 * (`company_id` or the seed's `collection_name`) are left out.
 */
@Injectable()
export class SessionDataLoader {
  constructor(@Inject(FIRESTORE) private readonly firestore: Firestore) {}

  /** The client profile and its company document. */
  async loadContext(userId: string, companyId: string, clientUuid?: string): Promise<Record<string, TypedValue>> {
    const [client, company] = await Promise.all([
      this.firestore.doc(FIRESTORE_PATHS.client(userId)).get(),
      this.firestore.doc(FIRESTORE_PATHS.company(userId, companyId)).get(),
    ]);
    if (!client.exists) throw new ClientNotFoundError(userId);
    return {
      user_id: userId,
      company_id: companyId,
      client_uuid: clientUuid ?? null,
      profile: plainFirestoreDocument(client.data()),
      company: company.exists ? plainFirestoreDocument(company.data()) : null,
    };
  }

  /** The user's jobs in this company, grouped by department. */
  async loadJobs(userId: string, companyId: string): Promise<JobsByDepartment> {
    const jobs = await this.firestore.collection(FIRESTORE_PATHS.jobs(userId)).get();
    const grouped: JobsByDepartment = {};
    for (const doc of jobs.docs) {
      const data = plainFirestoreDocument(doc.data());
      const owner = data['company_id'] ?? data['collection_name'];
      if (typeof owner === 'string' && owner !== companyId) continue;
      const department = departmentOf(data['department']);
      (grouped[department] ??= []).push({ ...data, job_id: doc.id });
    }
    return grouped;
  }
}

function departmentOf(value: TypedValue | undefined): string {
  return typeof value === 'string' && isSafeKeyPart(value) ? value : DEFAULT_DEPARTMENT;
}
