import { isPlainObject, JsonObject, JsonValue } from '@suite/firestore-documents';
import { stableStringify } from './stable-json';

/** The invoice fields of `document.initial_data` the Reflex app follows (SPEC §8). */
export const INVOICE_FIELDS = [
  'invoiceReference',
  'recipient',
  'invoiceDescription',
  'totalAmountDueVATExcluded',
  'totalAmountDueVATIncluded',
  'VATAmount',
  'recipientAddress',
  'dueDate',
  'sender',
  'invoiceDate',
  'currency',
  'VATPercentages',
  'sender_country',
  'account_number',
  'account_name',
] as const;

export const STEP_STATUS_FIELD = 'APBookeeper_step_status';

/** What the listener remembers of a task_manager document: the followed invoice fields and step counters. */
export interface TaskState {
  invoice: Record<string, JsonValue>;
  steps: Record<string, JsonValue>;
}

export interface TaskChanges {
  /** Changed invoice fields with their new values (null when a field was removed). */
  invoice: Record<string, JsonValue>;
  /** Changed step counters with their new values (null when a step was removed). */
  steps: Record<string, JsonValue>;
}

/** The followed part of a task_manager document (already converted to JSON). */
export function taskStateOf(document: JsonObject): TaskState {
  const documentField = document['document'];
  const initialData = isPlainObject(documentField) ? documentField['initial_data'] : undefined;
  const invoice: Record<string, JsonValue> = {};
  if (isPlainObject(initialData)) {
    for (const field of INVOICE_FIELDS) {
      if (field in initialData) invoice[field] = (initialData as JsonObject)[field];
    }
  }
  const stepStatus = document[STEP_STATUS_FIELD];
  const steps: Record<string, JsonValue> = isPlainObject(stepStatus) ? { ...(stepStatus as JsonObject) } : {};
  return { invoice, steps };
}

/** Exactly what changed between two states of a task document. */
export function diffTaskState(previous: TaskState, next: TaskState): TaskChanges {
  return { invoice: diffRecords(previous.invoice, next.invoice), steps: diffRecords(previous.steps, next.steps) };
}

function diffRecords(previous: Record<string, JsonValue>, next: Record<string, JsonValue>): Record<string, JsonValue> {
  const changes: Record<string, JsonValue> = {};
  for (const key of new Set([...Object.keys(previous), ...Object.keys(next)])) {
    const before = key in previous ? stableStringify(previous[key]) : undefined;
    const after = key in next ? stableStringify(next[key]) : undefined;
    if (before !== after) changes[key] = key in next ? next[key] : null;
  }
  return changes;
}
