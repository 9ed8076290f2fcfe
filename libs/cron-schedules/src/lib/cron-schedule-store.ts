import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { DistributedLock } from '@suite/distributed-lock';
import { RedisConnections, RedisScript } from '@suite/redis';
import { CronKeys } from './cron-keys';
import { assertCronExpression, assertTimezone, CatchUpPolicy, InvalidScheduleError, nextTick } from './cron-timing';
import { schedulableType } from './schedulable-task-types';
import { CATCH_UP_POLICIES, OVERLAP_POLICIES, OverlapPolicy, planEntry, runKeyOf, runMember, ScheduleDefinition, ScheduleView, scheduleViewFrom } from './schedule-records';

/** The lock type of a schedule's runs: `lock:cron:{<schedule id>}`. */
export const CRON_LOCK_TYPE = 'cron';

/** No schedule with this id. */
export class ScheduleNotFoundError extends Error {
  constructor(readonly scheduleId: string) {
    super(`cron task ${scheduleId} not found`);
    this.name = 'ScheduleNotFoundError';
  }
}

/** The schedule kept changing under CHANGE_ATTEMPTS guarded writes in a row (the caller may retry). */
export class ScheduleBusyError extends Error {
  constructor(readonly scheduleId: string) {
    super(`cron task ${scheduleId} changed during each of ${CHANGE_ATTEMPTS} attempts to change it; retry`);
    this.name = 'ScheduleBusyError';
  }
}

/** Guarded (version-checked) writes tried before a change gives up. */
const CHANGE_ATTEMPTS = 5;

/** The user already holds CRON_MAX_TASKS_PER_USER schedules. */
export class ScheduleLimitError extends Error {
  constructor(readonly limit: number) {
    super(`a user may hold at most ${limit} cron tasks`);
    this.name = 'ScheduleLimitError';
  }
}

/**
 * Creates the schedule unless the user holds ARGV[3] already. KEYS: schedule, due, user set, plans.
 * ARGV: 1 id, 2 next run, 3 limit, 4 plan entry, then field/value pairs. -1: over the limit.
 */
const CREATE = new RedisScript(
  'cron_create',
  `
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[3]) then return -1 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
return 1
`,
);

/**
 * Changes fields of an existing schedule and bumps its version (a claim planned on the old
 * version is refused). KEYS: schedule, due, plans. ARGV: 1 id, 2 next run ('' keeps it), 3 plan
 * entry without its version (`\n<catch_up>\n<tz>\n<expr>`), 4 the version the change was made
 * from, then field/value pairs. -1: the schedule changed since (the caller merges again).
 */
const UPDATE = new RedisScript(
  'cron_update',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if (redis.call('HGET', KEYS[1], 'version') or '0') ~= ARGV[4] then return -1 end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[3], ARGV[1], version .. ARGV[3])
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'status') == 'active' then
  redis.call('HSET', KEYS[1], 'next_run_at', ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
end
return 1
`,
);

/**
 * Pauses (ARGV[2] = '') or resumes (ARGV[2] = next run, computed from version ARGV[4]).
 * KEYS: schedule, due, plans. ARGV: 1 id, 2 next, 3 now ms, 4 version or ''. 2: already so;
 * -1: the schedule changed since its next run was computed.
 */
const SET_ACTIVE = new RedisScript(
  'cron_set_active',
  `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
if ARGV[4] ~= '' and (redis.call('HGET', KEYS[1], 'version') or '0') ~= ARGV[4] then return -1 end
local wanted = 'paused'
if ARGV[2] ~= '' then wanted = 'active' end
if status == wanted then return 2 end
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
local plan = redis.call('HGET', KEYS[3], ARGV[1])
if plan then
  local newline = string.find(plan, '\\n', 1, true)
  if newline then redis.call('HSET', KEYS[3], ARGV[1], version .. string.sub(plan, newline)) end
end
redis.call('HSET', KEYS[1], 'status', wanted, 'next_run_at', ARGV[2], 'updated_at', ARGV[3])
if wanted == 'active' then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1
`,
);

/** KEYS: schedule, due, user set, plans. ARGV: id. */
const DELETE = new RedisScript(
  'cron_delete',
  `
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
return 1
`,
);

/** A manual run, claimable at once by any scheduler. KEYS: schedule, in-flight. ARGV: 1 member, 2 now. */
const RUN_NOW = new RedisScript(
  'cron_run_now',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
return 1
`,
);

export interface ScheduleChanges {
  cron_expression?: string;
  timezone?: string;
  task_type?: string;
  payload?: Record<string, unknown>;
  catch_up?: CatchUpPolicy;
  overlap?: OverlapPolicy;
}

/**
 * User cron schedules in Redis: a hash per schedule (field-level writes), the `due` sorted set of
 * next runs, the `plans` hash a claim reads a batch from, a set per user. Every change is one Lua
 * step, so it reaches every scheduler instance at its next claim, without a restart.
 */
@Injectable()
export class CronScheduleStore {
  private readonly logger = new Logger('CronSchedules');

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisConnections,
    private readonly locks: DistributedLock,
    private readonly keys: CronKeys,
  ) {}

  async create(userId: string, companyId: string, requested: ScheduleDefinition, now = Date.now()): Promise<{ task_id: string; next_run_at: string }> {
    const definition = normalized(requested);
    validateDefinition(definition, now);
    const id = `cron_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    const next = nextTick(definition.cron_expression, definition.timezone, now);
    const stamp = new Date(now).toISOString();
    const fields = {
      schedule_id: id,
      user_id: userId,
      company_id: companyId,
      ...definitionFields(definition),
      status: 'active',
      version: 1,
      next_run_at: next,
      run_count: 0,
      missed_count: 0,
      skipped_count: 0,
      created_at: stamp,
      updated_at: stamp,
    };
    const created = Number(
      await CREATE.run(
        this.redis.command,
        [this.keys.schedule(id), this.keys.due, this.keys.userSchedules(userId), this.keys.plans],
        [id, next, this.config.CRON_MAX_TASKS_PER_USER, planEntry(1, definition.catch_up, definition.timezone, definition.cron_expression), ...Object.entries(fields).flat()],
      ),
    );
    if (created === -1) throw new ScheduleLimitError(this.config.CRON_MAX_TASKS_PER_USER);
    this.logger.log({ event: 'cron_task_created', task_id: id, user_id: userId, company_id: companyId, cron_expression: definition.cron_expression, timezone: definition.timezone });
    return { task_id: id, next_run_at: new Date(next).toISOString() };
  }

  async get(id: string): Promise<ScheduleView | null> {
    return scheduleViewFrom(await this.redis.command.hgetall(this.keys.schedule(id)));
  }

  async require(id: string): Promise<ScheduleView> {
    const view = await this.get(id);
    if (!view) throw new ScheduleNotFoundError(id);
    return view;
  }

  async list(userId: string, companyId?: string): Promise<ScheduleView[]> {
    const ids = await this.redis.command.smembers(this.keys.userSchedules(userId));
    const views = await Promise.all(ids.map((id) => this.get(id)));
    return views
      .filter((view): view is ScheduleView => view !== null && (!companyId || view.company_id === companyId))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  async update(id: string, changes: ScheduleChanges, now = Date.now()): Promise<ScheduleView> {
    for (let attempt = 1; ; attempt += 1) {
      const { version, current } = await this.versioned(id);
      const applied = await this.applyUpdate(id, changes, current, version, now);
      if (applied) break;
      if (attempt >= CHANGE_ATTEMPTS) throw new ScheduleBusyError(id);
    }
    this.logger.log({ event: 'cron_task_updated', task_id: id, fields: Object.keys(changes) });
    return this.require(id);
  }

  /** Merges `changes` into the schedule as of `version`; false when it changed meanwhile. */
  private async applyUpdate(id: string, changes: ScheduleChanges, current: ScheduleView, version: string, now: number): Promise<boolean> {
    const merged: ScheduleDefinition = normalized({
      cron_expression: changes.cron_expression ?? current.cron_expression,
      timezone: changes.timezone ?? current.timezone,
      task_type: changes.task_type ?? current.task_type,
      payload: changes.payload ?? current.payload,
      catch_up: changes.catch_up ?? current.catch_up,
      overlap: changes.overlap ?? current.overlap,
    });
    validateDefinition(merged, now);
    const timingChanged = merged.cron_expression !== current.cron_expression || merged.timezone !== current.timezone;
    const next = timingChanged ? nextTick(merged.cron_expression, merged.timezone, now) : '';
    const fields = { ...definitionFields(merged), updated_at: new Date(now).toISOString() };
    const applied = Number(
      await UPDATE.run(this.redis.command, [this.keys.schedule(id), this.keys.due, this.keys.plans], [id, next, `\n${merged.catch_up}\n${merged.timezone}\n${merged.cron_expression}`, version, ...Object.entries(fields).flat()]),
    );
    if (applied === 0) throw new ScheduleNotFoundError(id);
    return applied === 1;
  }

  /** The schedule with the version it was read at, both from one read of its hash. */
  private async versioned(id: string): Promise<{ version: string; current: ScheduleView }> {
    const hash = await this.redis.command.hgetall(this.keys.schedule(id));
    const current = scheduleViewFrom(hash);
    if (!current) throw new ScheduleNotFoundError(id);
    return { version: hash['version'] ?? '0', current };
  }

  /** Paused: no run until resumed (a claimed run finds it paused and is skipped). */
  async pause(id: string, now = Date.now()): Promise<ScheduleView> {
    const outcome = Number(await SET_ACTIVE.run(this.redis.command, [this.keys.schedule(id), this.keys.due, this.keys.plans], [id, '', new Date(now).toISOString(), '']));
    if (outcome === 0) throw new ScheduleNotFoundError(id);
    this.logger.log({ event: 'cron_task_paused', task_id: id });
    return this.require(id);
  }

  /** Resumed from now: the ticks that passed while paused are not run. */
  async resume(id: string, now = Date.now()): Promise<ScheduleView> {
    for (let attempt = 1; ; attempt += 1) {
      const { version, current } = await this.versioned(id);
      const next = nextTick(current.cron_expression, current.timezone, now);
      const outcome = Number(await SET_ACTIVE.run(this.redis.command, [this.keys.schedule(id), this.keys.due, this.keys.plans], [id, next, new Date(now).toISOString(), version]));
      if (outcome === 0) throw new ScheduleNotFoundError(id);
      if (outcome !== -1) break;
      if (attempt >= CHANGE_ATTEMPTS) throw new ScheduleBusyError(id);
    }
    this.logger.log({ event: 'cron_task_resumed', task_id: id });
    return this.require(id);
  }

  async delete(id: string): Promise<void> {
    const userId = await this.redis.command.hget(this.keys.schedule(id), 'user_id');
    if (!userId) throw new ScheduleNotFoundError(id);
    const deleted = Number(await DELETE.run(this.redis.command, [this.keys.schedule(id), this.keys.due, this.keys.userSchedules(userId), this.keys.plans], [id]));
    if (deleted !== 1) throw new ScheduleNotFoundError(id);
    await this.locks.discard(CRON_LOCK_TYPE, id);
    this.logger.log({ event: 'cron_task_deleted', task_id: id });
  }

  /**
   * Asks for one run now, outside the schedule: any scheduler instance claims it at its next claim
   * step and starts the task (quota and registry as any run; the overlap policy does not apply to
   * an explicit request). Returns the task id that run will have.
   */
  async runNow(id: string, now = Date.now()): Promise<{ run_id: string; task_id: string; requested_at: string }> {
    const view = await this.require(id);
    const run = { scheduleId: id, tick: now, kind: 'manual' as const };
    const applied = Number(await RUN_NOW.run(this.redis.command, [this.keys.schedule(id), this.keys.inflight], [runMember(id, now, 'manual'), now]));
    if (applied !== 1) throw new ScheduleNotFoundError(id);
    const request = schedulableType(view.task_type).request({ scheduleId: id, userId: view.user_id, companyId: view.company_id, runKey: runKeyOf(run), payload: view.payload }, { defaultLlmModel: this.config.LLM_MODEL });
    this.logger.log({ event: 'cron_task_run_now', task_id: id, run_task_id: request.taskId });
    return { run_id: runKeyOf(run), task_id: request.taskId, requested_at: new Date(now).toISOString() };
  }
}

function normalized(definition: ScheduleDefinition): ScheduleDefinition {
  const expression = typeof definition.cron_expression === 'string' ? definition.cron_expression.trim().split(/\s+/).join(' ') : definition.cron_expression;
  return { ...definition, cron_expression: expression };
}

function validateDefinition(definition: ScheduleDefinition, now: number): void {
  assertTimezone(definition.timezone);
  assertCronExpression(definition.cron_expression, definition.timezone, now);
  schedulableType(definition.task_type).validate(definition.payload);
  if (!CATCH_UP_POLICIES.includes(definition.catch_up)) throw new InvalidScheduleError('catch_up', `catch_up must be one of ${CATCH_UP_POLICIES.join(', ')}`);
  if (!OVERLAP_POLICIES.includes(definition.overlap)) throw new InvalidScheduleError('overlap', `overlap must be one of ${OVERLAP_POLICIES.join(', ')}`);
}

function definitionFields(definition: ScheduleDefinition): Record<string, string> {
  return {
    cron_expression: definition.cron_expression,
    timezone: definition.timezone,
    task_type: definition.task_type,
    payload: JSON.stringify(definition.payload),
    catch_up: definition.catch_up,
    overlap: definition.overlap,
  };
}
