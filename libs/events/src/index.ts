export { EventsModule } from './lib/events.module';
export { EventPublisher } from './lib/event-publisher';
export { EventReplay, InvalidEventIdError, MAX_REPLAY_LIMIT, compareStreamIds } from './lib/event-replay';
export type { ReplayResult } from './lib/event-replay';
export { ChannelSubscriber } from './lib/channel-subscriber';
export { EVENT_TYPES, STREAM_ID_PATTERN } from './lib/event-envelope';
export type { EventEnvelope, EventMeta, EventType } from './lib/event-envelope';
