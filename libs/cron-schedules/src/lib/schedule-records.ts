import type { CatchUpPolicy } from './cron-timing';

/** A run still in progress (its task queued or running) when the next tick comes: skip the tick, or queue one more task. */
export type OverlapPolicy = 'skip' | 'queue';

export const CATCH_UP_POLICIES: readonly CatchUpPolicy[] = ['collapse', 'skip'];
export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['skip', 'queue'];

/** The outcome of one run, kept as the schedule's `last_status`. */
export type RunOutcome = 'queued' | 'skipped_overlap' | 'skipped_paused' | 'quota_exceeded' | 'failed' | 'deleted';

/** What the caller defines. */
export interface ScheduleDefinition {
  cron_expression: string;
  timezone: string;
  task_type: string;
  payload: Record<string, unknown>;
  catch_up: CatchUpPolicy;
  overlap: OverlapPolicy;
}

/** A schedule as CRON.get_task returns it (snake_case: the caller is Python). */
export interface ScheduleView extends ScheduleDefinition {
  task_id: string;
  user_id: string;
  company_id: string;
  status: 'active' | 'paused';
  next_run_at: string | null;
  last_run_at: string | null;
  /** The tick the last run was for (a manual run: when it was asked for). */
  last_scheduled_for: string | null;
  last_status: RunOutcome | null;
  /** The task the last run started. */
  last_task_id: string | null;
  run_count: number;
  missed_count: number;
  skipped_count: number;
  created_at: string;
  updated_at: string;
}

/**
 * A claimed run, `<schedule id>|<tick ms>|<kind>`: the member of the in-flight set. A `cron` run is
 * a tick; a `manual` one comes from run_now.
 */
export interface ClaimedRun {
  member: string;
  scheduleId: string;
  tick: number;
  kind: 'cron' | 'manual';
}

export function runMember(scheduleId: string, tick: number, kind: ClaimedRun['kind']): string {
  return `${scheduleId}|${tick}|${kind}`;
}

export function parseRunMember(member: string): ClaimedRun | null {
  const [scheduleId, tick, kind] = member.split('|');
  if (!scheduleId || !tick || (kind !== 'cron' && kind !== 'manual')) return null;
  return { member, scheduleId, tick: Number(tick), kind };
}

/** The run's key, unique per run; the task id derives from it (so a repeated start is one task). */
export function runKeyOf(run: Pick<ClaimedRun, 'scheduleId' | 'tick' | 'kind'>): string {
  return run.kind === 'cron' ? `${run.scheduleId}_${run.tick}` : `${run.scheduleId}_now_${run.tick}`;
}

/**
 * The copy of what planning a schedule needs, one field per schedule in one hash, so a claim reads
 * a whole batch in one step: `<version>\n<catch_up>\n<timezone>\n<expression>`.
 */
export function planEntry(version: number, catchUp: CatchUpPolicy, timezone: string, expression: string): string {
  return `${version}\n${catchUp}\n${timezone}\n${expression}`;
}

export interface SchedulePlanEntry {
  version: string;
  catchUp: CatchUpPolicy;
  timezone: string;
  expression: string;
}

export function parsePlanEntry(entry: string): SchedulePlanEntry | null {
  const [version, catchUp, timezone, ...rest] = entry.split('\n');
  if (!version || (catchUp !== 'collapse' && catchUp !== 'skip') || !timezone || rest.length === 0) return null;
  return { version, catchUp, timezone, expression: rest.join('\n') };
}

const isoOrNull = (ms: string | undefined): string | null => (ms ? new Date(Number(ms)).toISOString() : null);

export function scheduleViewFrom(fields: Record<string, string>): ScheduleView | null {
  if (!fields['schedule_id']) return null;
  let payload: Record<string, unknown> = {};
  try {
    payload = JSON.parse(fields['payload'] ?? '{}') as Record<string, unknown>;
  } catch {
    payload = {};
  }
  return {
    task_id: fields['schedule_id'],
    user_id: fields['user_id'] ?? '',
    company_id: fields['company_id'] ?? '',
    cron_expression: fields['cron_expression'] ?? '',
    timezone: fields['timezone'] ?? 'UTC',
    task_type: fields['task_type'] ?? '',
    payload,
    catch_up: fields['catch_up'] === 'skip' ? 'skip' : 'collapse',
    overlap: fields['overlap'] === 'queue' ? 'queue' : 'skip',
    status: fields['status'] === 'paused' ? 'paused' : 'active',
    next_run_at: fields['status'] === 'paused' ? null : isoOrNull(fields['next_run_at']),
    last_run_at: isoOrNull(fields['last_run_at']),
    last_scheduled_for: isoOrNull(fields['last_tick']),
    last_status: (fields['last_status'] as RunOutcome | undefined) || null,
    last_task_id: fields['last_task_id'] || null,
    run_count: Number(fields['run_count'] ?? 0),
    missed_count: Number(fields['missed_count'] ?? 0),
    skipped_count: Number(fields['skipped_count'] ?? 0),
    created_at: fields['created_at'] ?? '',
    updated_at: fields['updated_at'] ?? '',
  };
}
