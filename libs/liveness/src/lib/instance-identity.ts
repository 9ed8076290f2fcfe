import { randomUUID } from 'node:crypto';

/** Which app this process is, and a unique id for this instance of it (lock owner, lease holder, logs). */
export class InstanceIdentity {
  readonly instanceId: string;

  constructor(readonly app: string) {
    this.instanceId = `${app}-${randomUUID().slice(0, 8)}`;
  }
}
