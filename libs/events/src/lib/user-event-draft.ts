import { EventEnvelope } from './event-envelope';

/** A user event built but not yet published, with what a script needs to publish it (`userEventLua`). */
export interface UserEventDraft<Payload = unknown> {
  envelope: Omit<EventEnvelope<Payload>, 'id'>;
  /** The envelope as JSON, without `id` (the stream assigns it). */
  json: string;
  streamKey: string;
  channel: string;
  maxlen: number;
  ttlSeconds: number;
}
