/**
 * Writes Firestore documents through the emulator's REST API, as a program outside the suite would
 * (`Authorization: Bearer owner` bypasses security rules). JSON values map to Firestore values:
 * safe integers to integerValue, other numbers to doubleValue.
 */
type RestValue = Record<string, unknown>;

function toRestValue(value: unknown): RestValue {
  if (value === null || value === undefined) return { nullValue: null };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { booleanValue: value };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { integerValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(toRestValue) } };
  return { mapValue: { fields: toRestFields(value as Record<string, unknown>) } };
}

function toRestFields(data: Record<string, unknown>): Record<string, RestValue> {
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, toRestValue(value)]));
}

function documentsUrl(path: string): string {
  const host = process.env['FIRESTORE_EMULATOR_HOST'];
  const project = process.env['FIREBASE_PROJECT_ID'] ?? 'demo-suite';
  if (!host) throw new Error('FIRESTORE_EMULATOR_HOST is not set (is the test stack up?)');
  return `http://${host}/v1/projects/${project}/databases/(default)/documents/${path}`;
}

/** Replaces the document at `path` with `data` (creating it when missing). */
export async function writeFirestoreDocument(path: string, data: Record<string, unknown>): Promise<void> {
  const response = await fetch(documentsUrl(path), {
    method: 'PATCH',
    headers: { authorization: 'Bearer owner', 'content-type': 'application/json' },
    body: JSON.stringify({ fields: toRestFields(data) }),
  });
  if (!response.ok) throw new Error(`writing ${path} failed: ${response.status} ${await response.text()}`);
}

export async function deleteFirestoreDocument(path: string): Promise<void> {
  const response = await fetch(documentsUrl(path), { method: 'DELETE', headers: { authorization: 'Bearer owner' } });
  if (!response.ok) throw new Error(`deleting ${path} failed: ${response.status}`);
}
