import { Module } from '@nestjs/common';
import { ChannelSubscriber } from './channel-subscriber';
import { EventPublisher } from './event-publisher';
import { EventReplay } from './event-replay';

/** Publishing, replaying and subscribing to events (needs ConfigModule and RedisModule). */
@Module({ providers: [EventPublisher, EventReplay, ChannelSubscriber], exports: [EventPublisher, EventReplay, ChannelSubscriber] })
export class EventsModule {}
