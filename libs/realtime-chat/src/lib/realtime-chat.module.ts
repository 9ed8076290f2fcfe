import { Module } from '@nestjs/common';
import { RealtimeChat } from './realtime-chat';

/** The Realtime Database chat (needs ConfigModule, RedisModule and FirebaseModule). */
@Module({ providers: [RealtimeChat], exports: [RealtimeChat] })
export class RealtimeChatModule {}
