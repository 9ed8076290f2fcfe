/** Event types the suite publishes to the Reflex app (SPEC §5). */
export const EVENT_TYPES = [
  'notif.job_updated',
  'notif.sync',
  'msg.new',
  'chat.message',
  'workflow.invoice_update',
  'workflow.step_update',
  'task.progress_update',
  'llm.conversation_update',
  'llm.conversation_complete',
  'rpc.reply',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What the Reflex app receives on a channel (SPEC §5); `id` is the event's id in the user's stream. */
export interface EventEnvelope<Payload = unknown> {
  id: string;
  type: EventType;
  uid: string;
  /** ISO 8601, UTC. */
  timestamp: string;
  payload: Payload;
  trace_id?: string;
  job_id?: string;
}

export interface EventMeta {
  trace_id?: string;
  job_id?: string;
}

export const STREAM_ID_PATTERN = /^\d{1,20}-\d{1,20}$/;
