import type { UnifiedUserSet } from '@suite/redis-namespaces';

/** The legacy `registry:user:{uid}` record (seed 000, "registre utilisateur principal"). */
export interface LegacyUserRecord {
  user_id: string;
  session_id: string;
  backend_route: string;
  last_seen_at: string;
}

/** `registry:unified:{uid}`, in the seed's JSON shape. */
export interface UnifiedUserRecord {
  user_info: { user_id: string; session_id: string; backend_route: string; last_seen_at: string; status: 'online' | 'offline' };
  companies: { current_company_id: string | null; authorized_companies_ids: string[]; company_roles: Record<string, string> };
  services: {
    chroma: { collections: string[]; last_heartbeat: string | null };
    llm: { active_conversations: string[]; model_preferences: Record<string, unknown> };
    tasks: { active_tasks: string[]; task_history: string[] };
  };
  heartbeat: { last_heartbeat: string | null; ttl_seconds: number };
}

export const TERMINAL_TASK_STATUSES = ['completed', 'failed', 'cancelled'] as const;
export type TaskStatus = 'queued' | 'running' | (typeof TERMINAL_TASK_STATUSES)[number];

/** `registry:task:{task_id}`, in the seed's JSON shape, plus the outcome once there is one. */
export interface TaskRecord {
  task_info: { task_id: string; task_type: string; user_id: string; company_id: string; created_at: string; status: string };
  isolation: { namespace: string; priority: string; max_duration: number };
  progress: { current_step: string; progress_percent: number; estimated_completion: string | null };
  resources: { worker_id: string | null; memory_usage: string | null; cpu_usage: string | null };
  result?: unknown;
  error?: string;
  updated_at?: string;
}

export interface CompanyQuotas {
  max_tasks_per_user: number;
  max_llm_requests_per_hour: number;
  storage_limit_mb: number;
}

export const DEFAULT_QUOTAS: CompanyQuotas = { max_tasks_per_user: 10, max_llm_requests_per_hour: 1000, storage_limit_mb: 5000 };

/** `registry:company:{cid}`, in the seed's JSON shape. */
export interface CompanyRecord {
  company_info: { company_id: string; company_name: string | null; created_at: string | null };
  active_users: Record<string, { role: string; last_activity: string; session_id: string }>;
  services: { chroma_collections: string[]; active_tasks: string[]; llm_conversations: string[] };
  quotas: CompanyQuotas;
}

/** The per-user sets beside the unified record (`registry:unified:{uid}:<set>`), in the order read back. */
export const UNIFIED_USER_SETS: readonly UnifiedUserSet[] = ['chroma_collections', 'active_conversations', 'active_tasks', 'task_history'];
