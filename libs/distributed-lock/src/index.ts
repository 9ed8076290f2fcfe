export { DistributedLock } from './lib/distributed-lock';
export type { HeldLock, LockHandle } from './lib/distributed-lock';
export { DistributedLockModule } from './lib/distributed-lock.module';
