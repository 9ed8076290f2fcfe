import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { RedisConnections, RedisScript } from '@suite/redis';
import { CronKeys } from './cron-keys';
import { asError } from '@suite/logging';
import { claimOutage, planDueRun } from './cron-timing';
import { ClaimedRun, parsePlanEntry, parseRunMember, runMember, RunOutcome } from './schedule-records';

/**
 * The claim steps' clock, then the due schedules (up to ARGV[2], score ≤ ARGV[1]) with their plan
 * entries, in one step: [last step, outage from, outage to, id, score, plan, id, score, plan, …].
 * KEYS: due, plans, clock.
 */
const PEEK_DUE = new RedisScript(
  'cron_peek_due',
  `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local out = redis.call('HMGET', KEYS[3], 'last_step', 'outage_from', 'outage_to')
for i = 1, 3 do out[i] = out[i] or '' end
for i = 1, #due, 2 do
  out[#out + 1] = due[i]
  out[#out + 1] = due[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], due[i]) or ''
end
return out
`,
);

/**
 * The atomic claim. For each planned schedule (ARGV from 5, six per schedule: id, the due score it
 * was planned from, plan version, tick to run or '', next run, missed 0/1; its hash is KEYS[3+i]):
 * unless another instance claimed it first (the score moved) or it changed (the version moved),
 * advance it to its next run and lease its run in the in-flight set. Then re-lease up to ARGV[4]
 * runs whose lease expired (their scheduler died) and manual runs, and note the step in the clock
 * (a gap since the previous step longer than the grace period is recorded as an outage). Returns
 * the claimed members.
 * KEYS: due, in-flight, plans, clock, schedules…
 * ARGV: 1 now, 2 lease expiry, 3 count, 4 takeover limit, 5 grace.
 */
const CLAIM = new RedisScript(
  'cron_claim',
  `
local previous = redis.call('HGET', KEYS[4], 'last_step')
redis.call('HSET', KEYS[4], 'last_step', ARGV[1])
if previous and tonumber(ARGV[1]) - tonumber(previous) > tonumber(ARGV[5]) then
  redis.call('HSET', KEYS[4], 'outage_from', previous, 'outage_to', ARGV[1])
end
local claimed = {}
local count = tonumber(ARGV[3])
for i = 0, count - 1 do
  local a = 6 + i * 6
  local id = ARGV[a]
  local score = redis.call('ZSCORE', KEYS[1], id)
  local plan = redis.call('HGET', KEYS[3], id)
  if not plan then
    redis.call('ZREM', KEYS[1], id)
  elseif score and tonumber(score) == tonumber(ARGV[a + 1]) and string.sub(plan, 1, #ARGV[a + 2] + 1) == ARGV[a + 2] .. '\\n' then
    local schedule = KEYS[5 + i]
    redis.call('ZADD', KEYS[1], ARGV[a + 4], id)
    redis.call('HSET', schedule, 'next_run_at', ARGV[a + 4])
    if ARGV[a + 5] == '1' then redis.call('HINCRBY', schedule, 'missed_count', 1) end
    if ARGV[a + 3] ~= '' then
      local member = id .. '|' .. ARGV[a + 3] .. '|cron'
      redis.call('ZADD', KEYS[2], ARGV[2], member)
      claimed[#claimed + 1] = member
    end
  end
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))
for _, member in ipairs(expired) do
  redis.call('ZADD', KEYS[2], ARGV[2], member)
  claimed[#claimed + 1] = member
end
return claimed
`,
);

/**
 * Records a run's outcome and ends its lease. The schedule's last_* fields change only for a
 * fence newer than the one they were written with (a run whose lock expired cannot overwrite a
 * later one's outcome); counters count a run once (when its lease was still there to remove).
 * KEYS: schedule, in-flight. ARGV: 1 member, 2 fence, 3 tick, 4 outcome, 5 task id or '', 6 now.
 */
const RECORD = new RedisScript(
  'cron_record',
  `
local removed = redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return removed end
local last = tonumber(redis.call('HGET', KEYS[1], 'last_fence') or '0')
if tonumber(ARGV[2]) > last then
  redis.call('HSET', KEYS[1], 'last_fence', ARGV[2], 'last_run_at', ARGV[6], 'last_tick', ARGV[3], 'last_status', ARGV[4])
  if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'last_task_id', ARGV[5]) end
end
if removed == 1 then
  if ARGV[4] == 'queued' then redis.call('HINCRBY', KEYS[1], 'run_count', 1)
  elseif string.sub(ARGV[4], 1, 8) == 'skipped_' then redis.call('HINCRBY', KEYS[1], 'skipped_count', 1) end
end
return removed
`,
);

const msOrNull = (value: string | undefined): number | null => (value ? Number(value) : null);

export interface ClaimStats {
  /** Due schedules seen. */
  due: number;
  /** Runs claimed (ticks, manual runs, and runs taken over from a dead instance). */
  claimed: number;
  /** Missed ticks skipped by `catch_up: skip`. */
  missedSkipped: number;
}

/**
 * Claiming due runs: read a batch of due schedules with their plans (one step), compute each next
 * tick in Node (cron-parser, the schedule's timezone), then claim them all in one atomic step that
 * refuses any a racing instance claimed first. Scales with the number of due schedules, not of all
 * schedules: nothing scans, nothing holds a timer per schedule.
 */
@Injectable()
export class CronRunClaims {
  private readonly logger = new Logger('CronClaims');

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisConnections,
    private readonly keys: CronKeys,
  ) {}

  async claim(limit: number, now = Date.now()): Promise<{ runs: ClaimedRun[]; stats: ClaimStats }> {
    const grace = this.config.CRON_MISSED_GRACE_MS;
    const peeked = (await PEEK_DUE.run(this.redis.command, [this.keys.due, this.keys.plans, this.keys.clock], [now, limit])) as string[];
    const outage = claimOutage({ lastStep: msOrNull(peeked[0]), outageFrom: msOrNull(peeked[1]), outageTo: msOrNull(peeked[2]) }, now, grace);
    const keys = [this.keys.due, this.keys.inflight, this.keys.plans, this.keys.clock];
    const args: Array<string | number> = [];
    let missedSkipped = 0;
    for (let index = 3; index < peeked.length; index += 3) {
      const id = peeked[index];
      const score = Number(peeked[index + 1]);
      const plan = parsePlanEntry(peeked[index + 2]);
      keys.push(this.keys.schedule(id));
      if (!plan) {
        args.push(id, score, '', '', score, 0); // no plan: the claim step drops it from `due`
        continue;
      }
      try {
        const due = planDueRun({ expression: plan.expression, timezone: plan.timezone, catchUp: plan.catchUp }, score, now, grace, outage);
        if (due.missed && due.runTick === null) missedSkipped += 1;
        if (due.missed) this.logger.log({ event: 'cron_missed_runs', task_id: id, due_at: new Date(score).toISOString(), catch_up: plan.catchUp, run_tick: due.runTick });
        args.push(id, score, plan.version, due.runTick ?? '', due.nextRun, due.missed ? 1 : 0);
      } catch (error) {
        // An expression that no longer yields a run: look again in an hour rather than every claim.
        this.logger.warn({ event: 'cron_plan_failed', task_id: id, error: asError(error).message });
        args.push(id, score, plan.version, '', now + 3_600_000, 0);
      }
    }
    const count = keys.length - 4;
    const members = (await CLAIM.run(this.redis.command, keys, [now, now + this.config.CRON_RUN_LEASE_MS, count, limit, grace, ...args])) as string[];
    const runs = members.map(parseRunMember).filter((run): run is ClaimedRun => run !== null);
    return { runs, stats: { due: count, claimed: runs.length, missedSkipped } };
  }

  /** Ends a run's lease and records its outcome (fenced). */
  async record(run: ClaimedRun, outcome: { fence: number; status: RunOutcome; taskId?: string }, now = Date.now()): Promise<void> {
    await RECORD.run(this.redis.command, [this.keys.schedule(run.scheduleId), this.keys.inflight], [run.member, outcome.fence, run.tick, outcome.status, outcome.taskId ?? '', now]);
  }

  /** Whether the run is still leased: false once an attempt at it recorded its outcome. */
  async isLeased(run: ClaimedRun): Promise<boolean> {
    return (await this.redis.command.zscore(this.keys.inflight, run.member)) !== null;
  }

  /** Keeps a run that is still going leased for `leaseMs` more (no-op once it was recorded). */
  async renewLease(run: ClaimedRun, leaseMs: number, now = Date.now()): Promise<void> {
    await this.redis.command.zadd(this.keys.inflight, 'XX', 'GT', now + leaseMs, run.member);
  }

  /** Puts a run back for another try after `delayMs` (its schedule's lock was held elsewhere). */
  async defer(run: ClaimedRun, delayMs: number, now = Date.now()): Promise<void> {
    await this.redis.command.zadd(this.keys.inflight, 'XX', now + delayMs, run.member);
  }

  /** The in-flight member of a tick (for tests and tools). */
  static memberOf(scheduleId: string, tick: number): string {
    return runMember(scheduleId, tick, 'cron');
  }
}
