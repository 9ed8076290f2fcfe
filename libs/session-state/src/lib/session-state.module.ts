import { Module } from '@nestjs/common';
import { SessionStateStore } from './session-state.store';

/** The session state store (needs RedisModule). */
@Module({ providers: [SessionStateStore], exports: [SessionStateStore] })
export class SessionStateModule {}
