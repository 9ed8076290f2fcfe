import { Injectable } from '@nestjs/common';
import { UserEventDraft, userEventLua } from '@suite/events';
import { RedisConnections, RedisScript } from '@suite/redis';
import {
  buildQuotaActiveTasksKey,
  buildRegistryCompanySetKey,
  buildRegistryTaskKey,
  buildRegistryUnifiedSetKey,
  REGISTRY_TASKS_KEY,
  RedisTTL,
} from '@suite/redis-namespaces';
import { CompanyQuotasService, QuotaDecision } from './company-quotas';
import { CompanyRegistry } from './company-registry';
import { RegistryLog } from './registry-log';
import { TaskRecord, TERMINAL_TASK_STATUSES } from './registry-records';
import { UnifiedRegistry } from './unified-registry';

/**
 * Creates the task record unless it exists; returns 1 when created. ARGV: 1 TTL, 2 whether to add
 * the task to its sets here ('1', single node only: the keys span hash slots) or leave that to the
 * caller ('0'), 3 task id, 4 user sets' TTL, 5 company sets' TTL, then field/value pairs. The sets:
 * every task (KEYS[2]), the user's active tasks (KEYS[3]), the company's active tasks (KEYS[4]).
 */
const CREATE_TASK = new RedisScript(
  'task_create',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('EXPIRE', KEYS[1], ARGV[1])
if ARGV[2] == '1' then
  redis.call('SADD', KEYS[2], ARGV[3])
  redis.call('SADD', KEYS[3], ARGV[3])
  redis.call('EXPIRE', KEYS[3], ARGV[4])
  redis.call('SADD', KEYS[4], ARGV[3])
  redis.call('EXPIRE', KEYS[4], ARGV[5])
end
return 1
`,
);

/**
 * Applies a progress update unless the task is missing or already ended (a late update never
 * revives a cancelled or finished task). Returns {previous status, user, company, ended, event id}
 * or false.
 *
 * ARGV: 1 terminal statuses (comma list), 2 whether to end the task here ('1') or leave that to the
 * caller ('0'), 3 task id, 4 user id, 5 company id, 6 history TTL, 7 whether to publish an event
 * here ('1'), 8-11 the event (stream maxlen, stream TTL, envelope, channel), then the field/value
 * pairs. Single node only (the keys span hash slots):
 * - Ending here frees the quota slot (KEYS[2]) and moves the task from the user's active set
 *   (KEYS[3]) to their history (KEYS[4]) and out of the company's active set (KEYS[5]), in the same
 *   step; `ended` is 1 when it did. It does so only when the record belongs to the given user and
 *   company, whose keys the caller built.
 * - Publishing here appends the event to the user's stream (KEYS[6]) and publishes it, so the
 *   update and its `task.progress_update` land together; the event id is returned ('' otherwise).
 */
const UPDATE_TASK = new RedisScript(
  'task_update',
  `
local current = redis.call('HMGET', KEYS[1], 'status', 'user_id', 'company_id')
if not current[1] then return false end
if string.find(',' .. ARGV[1] .. ',', ',' .. current[1] .. ',', 1, true) then return false end
redis.call('HSET', KEYS[1], unpack(ARGV, 12))
current[4] = 0
current[5] = ''
if ARGV[2] == '1' and current[2] == ARGV[4] and current[3] == ARGV[5] then
  redis.call('SREM', KEYS[2], ARGV[3])
  redis.call('SREM', KEYS[3], ARGV[3])
  redis.call('SADD', KEYS[4], ARGV[3])
  redis.call('EXPIRE', KEYS[4], ARGV[6])
  redis.call('SREM', KEYS[5], ARGV[3])
  current[4] = 1
end
if ARGV[7] == '1' then
  ${userEventLua({ stream: 'KEYS[6]', maxlen: 'ARGV[8]', ttlSeconds: 'ARGV[9]', envelope: 'ARGV[10]', channel: 'ARGV[11]' })}
  current[5] = event_id
end
return current
`,
);

/** Who a task belongs to, as its job knows it: lets an ending update free the task's slots in one step. */
export interface TaskOwner {
  userId: string;
  companyId: string;
}

export interface TaskUpdateOutcome {
  /** False when the task does not exist or had already ended. */
  applied: boolean;
  /** The stream id of the event published with the update, or null when none was. */
  eventId: string | null;
}

export interface TaskRegistration {
  taskId: string;
  taskType: string;
  userId: string;
  companyId: string;
  priority?: string;
  maxDuration?: number;
}

export interface TaskProgress {
  status: string;
  progressPercent?: number;
  currentStep?: string;
  workerId?: string;
  result?: unknown;
  error?: string;
}

export type TaskRegistrationOutcome =
  | { registered: true; created: boolean; record: TaskRecord }
  | { registered: false; quota: Exclude<QuotaDecision, { admitted: true }> };

export function isTerminalStatus(status: string): boolean {
  return (TERMINAL_TASK_STATUSES as readonly string[]).includes(status);
}

/** The task registry of seed 000 (`registry:task:{task_id}`), with max_tasks_per_user enforced. */
@Injectable()
export class TaskRegistry {
  constructor(
    private readonly redis: RedisConnections,
    private readonly quotas: CompanyQuotasService,
    private readonly companies: CompanyRegistry,
    private readonly users: UnifiedRegistry,
    private readonly log: RegistryLog,
  ) {}

  /**
   * Registers a task, taking one of the user's concurrent task slots first. Registering the same
   * task id again returns the existing record and takes no second slot.
   */
  async register(task: TaskRegistration): Promise<TaskRegistrationOutcome> {
    const maxDuration = task.maxDuration ?? 3600;
    const ttl = maxDuration + RedisTTL.REGISTRY_TASK_GRACE;
    const slot = await this.quotas.takeTaskSlot(
      task.companyId,
      task.userId,
      task.taskId,
      ttl,
    );
    if (!slot.admitted) {
      this.log.operation('register_task_refused', {
        task_id: task.taskId,
        user_id: task.userId,
        company_id: task.companyId,
        quota: slot.quota,
      });
      return { registered: false, quota: slot };
    }
    const now = new Date().toISOString();
    const fields: Record<string, string | number> = {
      task_id: task.taskId,
      task_type: task.taskType,
      user_id: task.userId,
      company_id: task.companyId,
      created_at: now,
      updated_at: now,
      status: 'queued',
      namespace: `${task.userId}_${task.companyId}`,
      priority: task.priority ?? 'normal',
      max_duration: maxDuration,
      current_step: 'queued',
      progress_percent: 0,
    };
    const setsHere = !this.redis.isCluster;
    const keys = [buildRegistryTaskKey(task.taskId)];
    if (setsHere)
      keys.push(
        REGISTRY_TASKS_KEY,
        buildRegistryUnifiedSetKey(task.userId, 'active_tasks'),
        buildRegistryCompanySetKey(task.companyId, 'active_tasks'),
      );
    const created =
      (await CREATE_TASK.run(this.redis.command, keys, [
        ttl,
        setsHere ? '1' : '0',
        task.taskId,
        RedisTTL.REGISTRY_UNIFIED,
        RedisTTL.REGISTRY_COMPANY,
        ...Object.entries(fields).flat(),
      ])) === 1;
    if (created && setsHere) await this.companies.ensure(task.companyId);
    if (created && !setsHere) {
      await Promise.all([
        this.redis.command.sadd(REGISTRY_TASKS_KEY, task.taskId),
        this.users.addToSet(task.userId, 'active_tasks', task.taskId),
        this.companies.addToSet(task.companyId, 'active_tasks', task.taskId),
      ]);
    }
    this.log.operation('register_task', {
      task_id: task.taskId,
      user_id: task.userId,
      company_id: task.companyId,
      created,
    });
    const record = created
      ? recordFrom(
          Object.fromEntries(
            Object.entries(fields).map(([name, value]) => [
              name,
              String(value),
            ]),
          ),
        )
      : await this.get(task.taskId);
    if (!record)
      throw new Error(`task ${task.taskId} vanished while being registered`);
    return { registered: true, created, record };
  }

  /**
   * Returns false when the task does not exist or has already ended. Ending a task frees its slot
   * and moves it to the user's history: in the update's own script when the caller names the
   * owner and Redis is a single node, otherwise right after it.
   */
  async updateProgress(taskId: string, progress: TaskProgress, owner?: TaskOwner): Promise<boolean> {
    return (await this.applyUpdate(taskId, progress, owner, undefined)).applied;
  }

  /**
   * `updateProgress`, and the event announcing it published in the same step when Redis is a
   * single node (`eventId` is then its stream id). Otherwise `eventId` is null and the caller
   * publishes the event itself, after the update was applied.
   */
  async updateProgressAndAnnounce(taskId: string, progress: TaskProgress, owner: TaskOwner, event: UserEventDraft): Promise<TaskUpdateOutcome> {
    return this.applyUpdate(taskId, progress, owner, event);
  }

  private async applyUpdate(taskId: string, progress: TaskProgress, owner: TaskOwner | undefined, event: UserEventDraft | undefined): Promise<TaskUpdateOutcome> {
    const pairs: Array<string | number> = ['status', progress.status, 'updated_at', new Date().toISOString()];
    if (progress.progressPercent !== undefined) pairs.push('progress_percent', progress.progressPercent);
    if (progress.currentStep !== undefined) pairs.push('current_step', progress.currentStep);
    if (progress.workerId !== undefined) pairs.push('worker_id', progress.workerId);
    if (progress.result !== undefined) pairs.push('result', JSON.stringify(progress.result));
    if (progress.error !== undefined) pairs.push('error', progress.error);
    const terminal = isTerminalStatus(progress.status);
    const inScript = owner !== undefined && !this.redis.isCluster;
    const endHere = terminal && inScript;
    const announceHere = event !== undefined && inScript;
    const keys = [buildRegistryTaskKey(taskId)];
    if (inScript) {
      keys.push(
        buildQuotaActiveTasksKey(owner.companyId, owner.userId),
        buildRegistryUnifiedSetKey(owner.userId, 'active_tasks'),
        buildRegistryUnifiedSetKey(owner.userId, 'task_history'),
        buildRegistryCompanySetKey(owner.companyId, 'active_tasks'),
      );
      if (announceHere) keys.push(event.streamKey);
    }
    const previous = (await UPDATE_TASK.run(this.redis.command, keys, [
      TERMINAL_TASK_STATUSES.join(','),
      endHere ? '1' : '0',
      taskId,
      owner?.userId ?? '',
      owner?.companyId ?? '',
      RedisTTL.REGISTRY_UNIFIED,
      announceHere ? '1' : '0',
      announceHere ? event.maxlen : '',
      announceHere ? event.ttlSeconds : '',
      announceHere ? event.json : '',
      announceHere ? event.channel : '',
      ...pairs,
    ])) as [string, string, string, number, string] | null;
    if (!previous) return { applied: false, eventId: null };
    const [, userId, companyId, ended, eventId] = previous;
    if (terminal && ended !== 1) {
      await Promise.all([
        this.quotas.releaseTaskSlot(companyId, userId, taskId),
        this.users.moveTaskToHistory(userId, taskId),
        this.companies.removeFromSet(companyId, 'active_tasks', taskId),
      ]);
    }
    this.log.operation('update_task_progress', { task_id: taskId, status: progress.status, progress: progress.progressPercent });
    return { applied: true, eventId: eventId || null };
  }

  async get(taskId: string): Promise<TaskRecord | null> {
    return recordFrom(
      await this.redis.command.hgetall(buildRegistryTaskKey(taskId)),
    );
  }
}

function recordFrom(fields: Record<string, string>): TaskRecord | null {
  if (!fields['task_id']) return null;
  return {
    task_info: {
      task_id: fields['task_id'],
      task_type: fields['task_type'] ?? '',
      user_id: fields['user_id'] ?? '',
      company_id: fields['company_id'] ?? '',
      created_at: fields['created_at'] ?? '',
      status: fields['status'] ?? 'queued',
    },
    isolation: {
      namespace: fields['namespace'] ?? '',
      priority: fields['priority'] ?? 'normal',
      max_duration: Number(fields['max_duration'] ?? 3600),
    },
    progress: {
      current_step: fields['current_step'] ?? '',
      progress_percent: Number(fields['progress_percent'] ?? 0),
      estimated_completion: fields['estimated_completion'] ?? null,
    },
    resources: {
      worker_id: fields['worker_id'] ?? null,
      memory_usage: fields['memory_usage'] ?? null,
      cpu_usage: fields['cpu_usage'] ?? null,
    },
    ...(fields['result'] !== undefined
      ? { result: JSON.parse(fields['result']) }
      : {}),
    ...(fields['error'] !== undefined ? { error: fields['error'] } : {}),
    updated_at: fields['updated_at'],
  };
}
