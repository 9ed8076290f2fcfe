import { FirestoreInputError } from './firestore-errors';

export type PathKind = 'document' | 'collection';

const MAX_PATH_BYTES = 1500;
const MAX_DEPTH = 100;

/**
 * Checks a slash-separated Firestore path and that it names the kind the call needs: a document
 * path has an even number of segments (`clients/u1`), a collection path an odd one
 * (`clients/u1/task_manager`). Leading and trailing slashes are tolerated, empty segments are not.
 */
export function checkPath(parameter: string, path: string, expected: PathKind): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed.length === 0) throw new FirestoreInputError(`${parameter} must not be empty`);
  if (Buffer.byteLength(trimmed) > MAX_PATH_BYTES) throw new FirestoreInputError(`${parameter} is longer than ${MAX_PATH_BYTES} bytes`);
  const segments = trimmed.split('/');
  if (segments.length > MAX_DEPTH) throw new FirestoreInputError(`${parameter} is deeper than ${MAX_DEPTH} segments`);
  segments.forEach((segment, index) => checkSegment(parameter, segment, index));
  const kind: PathKind = segments.length % 2 === 0 ? 'document' : 'collection';
  if (kind !== expected) {
    throw new FirestoreInputError(
      `${parameter} "${trimmed}" is a ${kind} path (${segments.length} segment${segments.length === 1 ? '' : 's'}); a ${expected} path is needed` +
        (expected === 'document' ? ' (collection/document, an even number of segments)' : ' (an odd number of segments)'),
    );
  }
  return trimmed;
}

/** A document id on its own (e.g. `job_data.job_id`): one valid path segment. */
export function checkDocumentId(parameter: string, id: string): string {
  if (id.includes('/')) throw new FirestoreInputError(`${parameter} must not contain "/"`);
  checkSegment(parameter, id, 0);
  return id;
}

function checkSegment(parameter: string, segment: string, index: number): void {
  if (segment.length === 0) throw new FirestoreInputError(`${parameter} has an empty segment at position ${index + 1} ("//")`);
  if (segment === '.' || segment === '..') throw new FirestoreInputError(`${parameter} segment ${index + 1} must not be "." or ".."`);
  if (/^__.*__$/.test(segment)) throw new FirestoreInputError(`${parameter} segment ${index + 1} "${segment}" is reserved (__…__)`);
}
