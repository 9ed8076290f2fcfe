import { Module } from '@nestjs/common';
import { DistributedLock } from './distributed-lock';

/** The distributed lock (needs RedisModule). */
@Module({ providers: [DistributedLock], exports: [DistributedLock] })
export class DistributedLockModule {}
