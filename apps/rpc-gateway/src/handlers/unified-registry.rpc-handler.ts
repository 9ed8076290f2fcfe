import { Injectable } from '@nestjs/common';
import { CleanupReport, CompanyQuotas, CompanyQuotasService, CompanyRecord, CompanyRegistry, RegistryMaintenance, TaskRecord, TaskRegistry, UnifiedRegistry, UnifiedUserRecord } from '@suite/registry';
import { RpcError, RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { UserParams, TaskParams } from './common-params';
import { ID_LENGTH } from './param-limits';

export class RegisterSessionParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsString() @Length(...ID_LENGTH) session_id!: string;
  @IsString() @Length(...ID_LENGTH) company_id!: string;
  @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @Length(...ID_LENGTH, { each: true }) authorized_companies!: string[];
  @IsOptional() @IsString() @Length(0, 1024) backend_route?: string;
}

export class RegisterTaskParams {
  @IsString() @Length(...ID_LENGTH) task_id!: string;
  @IsString() @Length(...ID_LENGTH) task_type!: string;
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsString() @Length(...ID_LENGTH) company_id!: string;
  @IsOptional() @IsIn(['low', 'normal', 'high']) priority?: string;
  @IsOptional() @IsInt() @Min(1) @Max(7 * 86_400) max_duration?: number;
}

export class TaskProgressParams {
  @IsString() @Length(...ID_LENGTH) task_id!: string;
  @IsIn(['queued', 'running', 'completed', 'failed', 'cancelled']) status!: string;
  @IsOptional() @IsInt() @Min(0) @Max(100) progress_percent?: number;
  @IsOptional() @IsString() @Length(0, 256) current_step?: string;
  @IsOptional() @IsString() @Length(0, 256) worker_id?: string;
}

export class CompanyParams {
  @IsString() @Length(...ID_LENGTH) company_id!: string;
}

export class CompanyQuotasParams {
  @IsString() @Length(...ID_LENGTH) company_id!: string;
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000) max_tasks_per_user?: number;
  @IsOptional() @IsInt() @Min(0) @Max(100_000_000) max_llm_requests_per_hour?: number;
  @IsOptional() @IsInt() @Min(0) @Max(100_000_000) storage_limit_mb?: number;
}

/** The unified user record (register_user_session, get_user_registry). */
const USER_REGISTRY_RETURNS = '{"user_info": {"user_id", "session_id", "backend_route", "last_seen_at", "status": "online" | "offline"}, "companies": {"current_company_id": str | None, "authorized_companies_ids": [str], "company_roles": {str: str}}, "services": {"chroma", "llm", "tasks"}, "heartbeat": {"last_heartbeat": str | None, "ttl_seconds": int}}';

/** The unified task record (register_task, get_task_registry). */
const TASK_RECORD_RETURNS = '{"task_info": {"task_id", "task_type", "user_id", "company_id", "created_at", "status"}, "isolation": {"namespace", "priority", "max_duration"}, "progress": {"current_step", "progress_percent", "estimated_completion"}, "resources": {"worker_id", "memory_usage", "cpu_usage"}, "result"?, "error"?: str, "updated_at"?: str}';

/** `UNIFIED_REGISTRY.*` (seed 000); answers FEATURE_DISABLED until UNIFIED_REGISTRY_ENABLED=true. */
@RpcNamespace('UNIFIED_REGISTRY', { enabledBy: 'UNIFIED_REGISTRY_ENABLED', description: 'Users, companies and tasks (unified registry)' })
@Injectable()
export class UnifiedRegistryRpcHandler {
  constructor(
    private readonly users: UnifiedRegistry,
    private readonly tasks: TaskRegistry,
    private readonly companies: CompanyRegistry,
    private readonly quotas: CompanyQuotasService,
    private readonly maintenance: RegistryMaintenance,
  ) {}

  @RpcMethod('register_user_session', { params: ['user_id', 'session_id', 'company_id', 'authorized_companies', 'backend_route'], dto: RegisterSessionParams, returns: USER_REGISTRY_RETURNS })
  registerUserSession(params: RegisterSessionParams): Promise<UnifiedUserRecord> {
    return this.users.registerUserSession({
      userId: params.user_id,
      sessionId: params.session_id,
      companyId: params.company_id,
      authorizedCompanies: params.authorized_companies,
      backendRoute: params.backend_route,
    });
  }

  @RpcMethod('update_user_heartbeat', { params: ['user_id'], dto: UserParams, returns: 'bool (false when the user has no registry)' })
  updateUserHeartbeat(params: UserParams): Promise<boolean> {
    return this.users.updateUserHeartbeat(params.user_id);
  }

  @RpcMethod('get_user_registry', { params: ['user_id'], dto: UserParams, returns: USER_REGISTRY_RETURNS })
  async getUserRegistry(params: UserParams): Promise<UnifiedUserRecord> {
    return found(await this.users.getUserRegistry(params.user_id), `user registry ${params.user_id}`);
  }

  @RpcMethod('register_task', { params: ['task_id', 'task_type', 'user_id', 'company_id', 'priority', 'max_duration'], dto: RegisterTaskParams, returns: TASK_RECORD_RETURNS })
  async registerTask(params: RegisterTaskParams): Promise<TaskRecord> {
    const outcome = await this.tasks.register({
      taskId: params.task_id,
      taskType: params.task_type,
      userId: params.user_id,
      companyId: params.company_id,
      priority: params.priority,
      maxDuration: params.max_duration,
    });
    if (!outcome.registered) {
      throw new RpcError('QUOTA_EXCEEDED', `${outcome.quota.quota} (${outcome.quota.limit}) reached for company ${params.company_id}`, outcome.quota.retryAfterMs);
    }
    return outcome.record;
  }

  @RpcMethod('update_task_progress', { params: ['task_id', 'status', 'progress_percent', 'current_step', 'worker_id'], dto: TaskProgressParams, returns: 'bool (true when the update was applied)' })
  updateTaskProgress(params: TaskProgressParams): Promise<boolean> {
    return this.tasks.updateProgress(params.task_id, {
      status: params.status,
      progressPercent: params.progress_percent,
      currentStep: params.current_step,
      workerId: params.worker_id,
    });
  }

  @RpcMethod('get_task_registry', { params: ['task_id'], dto: TaskParams, returns: TASK_RECORD_RETURNS })
  async getTaskRegistry(params: TaskParams): Promise<TaskRecord> {
    return found(await this.tasks.get(params.task_id), `task ${params.task_id}`);
  }

  @RpcMethod('get_company_registry', { params: ['company_id'], dto: CompanyParams, returns: '{"company_info": {"company_id", "company_name", "created_at"}, "active_users": {str: {"role", "last_activity", "session_id"}}, "services": {"chroma_collections": [str], "active_tasks": [str], "llm_conversations": [str]}, "quotas": {"max_tasks_per_user": int, "max_llm_requests_per_hour": int, "storage_limit_mb": int}}' })
  async getCompanyRegistry(params: CompanyParams): Promise<CompanyRecord> {
    return found(await this.companies.get(params.company_id), `company ${params.company_id}`);
  }

  @RpcMethod('get_company_active_users', { params: ['company_id'], dto: CompanyParams, returns: '[str] (user ids)' })
  getCompanyActiveUsers(params: CompanyParams): Promise<string[]> {
    return this.companies.activeUsers(params.company_id);
  }

  @RpcMethod('set_company_quotas', { params: ['company_id', 'max_tasks_per_user', 'max_llm_requests_per_hour', 'storage_limit_mb'], dto: CompanyQuotasParams, returns: '{"max_tasks_per_user": int, "max_llm_requests_per_hour": int, "storage_limit_mb": int}' })
  setCompanyQuotas(params: CompanyQuotasParams): Promise<CompanyQuotas> {
    return this.quotas.set(params.company_id, {
      max_tasks_per_user: params.max_tasks_per_user,
      max_llm_requests_per_hour: params.max_llm_requests_per_hour,
      storage_limit_mb: params.storage_limit_mb,
    });
  }

  @RpcMethod('cleanup_expired_entries', { params: [], returns: '{"presence_removed": int, "task_ids_removed": int, "users_removed": int, "companies_removed": int}' })
  cleanupExpiredEntries(): Promise<CleanupReport> {
    return this.maintenance.cleanupExpiredEntries();
  }
}

function found<T>(value: T | null, what: string): T {
  if (value === null) throw RpcError.notFound(what);
  return value;
}
