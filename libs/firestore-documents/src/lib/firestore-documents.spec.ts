import { AppConfig } from '@suite/config';
import type { Firestore } from '@suite/firebase';
import { FirestoreDocuments } from './firestore-documents';
import { FirestoreInputError } from './firestore-errors';

const config = { FIREBASE_OPERATION_TIMEOUT_MS: 1000, FIREBASE_RETRY_AFTER_MS: 500 } as AppConfig;

/** Documents over a Firestore whose document reads fail with `thrown`. */
function documentsWhoseReadsThrow(thrown: unknown): FirestoreDocuments {
  const firestore = { doc: () => ({ get: () => Promise.reject(thrown) }) } as unknown as Firestore;
  return new FirestoreDocuments(firestore, config);
}

async function failureOf(operation: Promise<unknown>): Promise<unknown> {
  try {
    await operation;
  } catch (error) {
    return error;
  }
  throw new Error('the operation succeeded');
}

describe('FirestoreDocuments: failures that are not Error instances', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'connection reset'],
  ])('passes %s thrown by the SDK on as an Error saying what was thrown', async (_kind, thrown) => {
    const error = await failureOf(documentsWhoseReadsThrow(thrown).getDocument('jobs/one'));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(String(thrown));
  });

  it('answers a refusal (INVALID_ARGUMENT) with no message as bad input, not as a crash of its own', async () => {
    const error = await failureOf(documentsWhoseReadsThrow({ code: 3 }).getDocument('jobs/one'));
    expect(error).toBeInstanceOf(FirestoreInputError);
    expect((error as Error).message).toMatch(/^Firestore refused the call: /);
  });

  it("keeps the first line of Firestore's own wording of a refusal", async () => {
    const refusal = Object.assign(new Error('3 INVALID_ARGUMENT: the query requires an index\nhttps://console.example/index'), { code: 3 });
    const error = await failureOf(documentsWhoseReadsThrow(refusal).getDocument('jobs/one'));
    expect(error).toEqual(new FirestoreInputError('Firestore refused the call: 3 INVALID_ARGUMENT: the query requires an index'));
  });
});
