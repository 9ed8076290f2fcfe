import { Injectable } from '@nestjs/common';
import {
  CATCH_UP_POLICIES,
  CatchUpPolicy,
  CronScheduleStore,
  InvalidScheduleError,
  OVERLAP_POLICIES,
  OverlapPolicy,
  ScheduleBusyError,
  ScheduleLimitError,
  ScheduleNotFoundError,
  ScheduleView,
} from '@suite/cron-schedules';
import { RpcError, RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { IsIn, IsObject, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { ID_LENGTH } from './param-limits';


class ScheduleTimingParams {
  @IsOptional() @IsIn(CATCH_UP_POLICIES) catch_up?: CatchUpPolicy;
  @IsOptional() @IsIn(OVERLAP_POLICIES) overlap?: OverlapPolicy;
}

export class CreateCronTaskParams extends ScheduleTimingParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsString() @Length(...ID_LENGTH) company_id!: string;
  @IsString() @MaxLength(200) cron_expression!: string;
  @IsString() @MaxLength(64) timezone!: string;
  @IsString() @MaxLength(64) task_type!: string;
  @IsObject() payload!: Record<string, unknown>;
}

export class UpdateCronTaskParams extends ScheduleTimingParams {
  @IsString() @Length(...ID_LENGTH) task_id!: string;
  @IsOptional() @IsString() @MaxLength(200) cron_expression?: string;
  @IsOptional() @IsString() @MaxLength(64) timezone?: string;
  @IsOptional() @IsString() @MaxLength(64) task_type?: string;
  @IsOptional() @IsObject() payload?: Record<string, unknown>;
}

export class CronTaskParams {
  @IsString() @Length(...ID_LENGTH) task_id!: string;
}

export class ListCronTasksParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsOptional() @IsString() @Length(...ID_LENGTH) company_id?: string;
}

/** A cron task as get_task, list_tasks and update_task return it. */
const SCHEDULE_RETURNS = '{"task_id": str, "user_id": str, "company_id": str, "cron_expression": str, "timezone": str, "task_type": str, "payload": dict, "catch_up": str, "overlap": str, "status": "active" | "paused", "next_run_at": str | None, "last_run_at": str | None, "last_scheduled_for": str | None, "last_status": str | None, "last_task_id": str | None, "run_count": int, "missed_count": int, "skipped_count": int, "created_at": str, "updated_at": str}';

/**
 * `CRON.*` (SPEC §4): user cron tasks. Each run is an ordinary task (registry record, queue,
 * `task.progress_update`) started by a cron-scheduler instance; here they are defined, changed
 * and followed. Needs UNIFIED_REGISTRY_ENABLED, like TASK.*.
 */
@RpcNamespace('CRON', { enabledBy: 'UNIFIED_REGISTRY_ENABLED', description: 'User cron tasks' })
@Injectable()
export class CronRpcHandler {
  constructor(private readonly schedules: CronScheduleStore) {}

  @RpcMethod('create_task', {
    params: ['user_id', 'company_id', 'cron_expression', 'timezone', 'task_type', 'payload', 'catch_up', 'overlap'],
    dto: CreateCronTaskParams,
    returns: '{"success": true, "task_id": str, "next_run_at": str}',
  })
  async createTask(params: CreateCronTaskParams) {
    const created = await answer(() =>
      this.schedules.create(params.user_id, params.company_id, {
        cron_expression: params.cron_expression,
        timezone: params.timezone,
        task_type: params.task_type,
        payload: params.payload,
        catch_up: params.catch_up ?? 'collapse',
        overlap: params.overlap ?? 'skip',
      }),
    );
    return { success: true, ...created };
  }

  @RpcMethod('list_tasks', { params: ['user_id', 'company_id'], dto: ListCronTasksParams, returns: `[${SCHEDULE_RETURNS}]` })
  listTasks(params: ListCronTasksParams): Promise<ScheduleView[]> {
    return this.schedules.list(params.user_id, params.company_id);
  }

  @RpcMethod('get_task', { params: ['task_id'], dto: CronTaskParams, returns: SCHEDULE_RETURNS })
  getTask(params: CronTaskParams): Promise<ScheduleView> {
    return answer(() => this.schedules.require(params.task_id));
  }

  @RpcMethod('update_task', { params: ['task_id', 'cron_expression', 'timezone', 'task_type', 'payload', 'catch_up', 'overlap'], dto: UpdateCronTaskParams, returns: `{"success": true, ${SCHEDULE_RETURNS.slice(1)}` })
  async updateTask(params: UpdateCronTaskParams) {
    const { task_id, ...changes } = params;
    const view = await answer(() => this.schedules.update(task_id, changes));
    return { success: true, ...view };
  }

  @RpcMethod('delete_task', { params: ['task_id'], dto: CronTaskParams, returns: '{"success": true, "task_id": str}' })
  async deleteTask(params: CronTaskParams) {
    await answer(() => this.schedules.delete(params.task_id));
    return { success: true, task_id: params.task_id };
  }

  @RpcMethod('pause_task', { params: ['task_id'], dto: CronTaskParams, returns: '{"success": true, "task_id": str, "status": "paused", "next_run_at": str | None}' })
  async pauseTask(params: CronTaskParams) {
    const view = await answer(() => this.schedules.pause(params.task_id));
    return { success: true, task_id: view.task_id, status: view.status, next_run_at: view.next_run_at };
  }

  @RpcMethod('resume_task', { params: ['task_id'], dto: CronTaskParams, returns: '{"success": true, "task_id": str, "status": "active", "next_run_at": str | None}' })
  async resumeTask(params: CronTaskParams) {
    const view = await answer(() => this.schedules.resume(params.task_id));
    return { success: true, task_id: view.task_id, status: view.status, next_run_at: view.next_run_at };
  }

  /** One run now, claimed by a scheduler at its next step; `run_task_id` is the task that run starts. */
  @RpcMethod('run_now', { params: ['task_id'], dto: CronTaskParams, returns: '{"success": true, "task_id": str, "run_task_id": str, "requested_at": str}' })
  async runNow(params: CronTaskParams) {
    const asked = await answer(() => this.schedules.runNow(params.task_id));
    return { success: true, task_id: params.task_id, run_task_id: asked.task_id, requested_at: asked.requested_at };
  }
}

const BUSY_RETRY_AFTER_MS = 100;

/** The store's errors as the caller's: a bad definition names its parameter. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidScheduleError) throw RpcError.invalidArgs(error.message);
    if (error instanceof ScheduleNotFoundError) throw RpcError.notFound(`cron task ${error.scheduleId}`);
    if (error instanceof ScheduleLimitError) throw new RpcError('QUOTA_EXCEEDED', error.message);
    if (error instanceof ScheduleBusyError) throw new RpcError('UNAVAILABLE', error.message, BUSY_RETRY_AFTER_MS);
    throw error;
  }
}
