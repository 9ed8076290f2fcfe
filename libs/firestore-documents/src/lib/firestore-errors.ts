/** Input the caller must fix (a bad path, operator, value or size); the message names what is wrong. */
export class FirestoreInputError extends Error {
  override readonly name = 'FirestoreInputError';
}

/** The document an update needs does not exist. */
export class FirestoreNotFoundError extends Error {
  override readonly name = 'FirestoreNotFoundError';
}

/** Firestore did not answer (unreachable, overloaded, or past the operation timeout); retry later. */
export class FirestoreUnavailableError extends Error {
  override readonly name = 'FirestoreUnavailableError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
