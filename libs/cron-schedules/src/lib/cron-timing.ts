import { asError } from '@suite/logging';
import { CronExpression, CronExpressionParser } from 'cron-parser';

/** A schedule's expression or timezone is unusable; `param` names the parameter at fault. */
export class InvalidScheduleError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidScheduleError';
  }
}

const HOUR_MS = 3_600_000;
/** How many candidate ticks a lookup may discard (DST repeats, shifted ticks) before it gives up. */
const MAX_CANDIDATES = 500;
const MAX_CACHED = 5000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const expressions = new Map<string, CronExpression>();

/** Checks an IANA timezone name; throws InvalidScheduleError('timezone') otherwise. */
export function assertTimezone(timezone: string): void {
  if (typeof timezone !== 'string' || timezone.length === 0 || timezone.length > 64) throw new InvalidScheduleError('timezone', 'timezone must be an IANA name such as Europe/Paris');
  try {
    formatter(timezone);
  } catch {
    throw new InvalidScheduleError('timezone', `timezone ${JSON.stringify(timezone)} is not an IANA timezone name`);
  }
}

/**
 * Checks a cron expression: 5 fields (minute hour day month weekday) or 6 with seconds first,
 * and at least one future tick in `timezone`. Throws InvalidScheduleError('cron_expression').
 */
export function assertCronExpression(expression: string, timezone: string, now = Date.now()): void {
  if (typeof expression !== 'string' || expression.length > 200) throw new InvalidScheduleError('cron_expression', 'cron_expression must be a string of 5 or 6 fields');
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new InvalidScheduleError('cron_expression', `cron_expression must have 5 fields (minute hour day month weekday) or 6 (seconds first), got ${fields.length}`);
  }
  assertTimezone(timezone);
  try {
    parsed(expression, timezone);
    nextTick(expression, timezone, now);
  } catch (error) {
    throw new InvalidScheduleError('cron_expression', `cron_expression ${JSON.stringify(expression)} is invalid: ${asError(error).message}`);
  }
}

/**
 * The first run strictly after `afterMs`, with the suite's daylight-saving policy in `timezone`:
 * - a local time that does not exist (the skipped hour of spring) runs at the first valid instant
 *   after the gap (02:30 on 2026-03-29 in Europe/Paris runs at 03:00 CEST);
 * - a local time that happens twice (the repeated hour of autumn) runs once, at its first
 *   occurrence (02:30 on 2026-10-25 runs at 02:30 CEST, not again at 02:30 CET). A schedule that
 *   runs within that hour (every minute, every second) runs through its first pass only.
 */
export function nextTick(expression: string, timezone: string, afterMs: number): number {
  const iterator = parsed(expression, timezone);
  iterator.reset(new Date(afterMs));
  for (let candidate = 0; candidate < MAX_CANDIDATES; candidate += 1) {
    let tick = iterator.next().getTime();
    const secondPass = secondPassOfRepeatedHour(tick, timezone);
    if (secondPass) {
      // Jump past the whole second pass: a seconds schedule has thousands of candidates in it.
      iterator.reset(new Date(secondPass.end - 1));
      continue;
    }
    if (!iterator.includesDate(new Date(tick))) {
      // cron-parser moved a time of the skipped hour past the gap (02:30 → 03:30): run at the gap's end.
      tick = gapEnd(tick, timezone);
    }
    if (tick > afterMs) return tick;
  }
  throw new Error(`no run found within ${MAX_CANDIDATES} candidates`);
}

/**
 * The last run strictly before `beforeMs`, by the same policy as `nextTick`: from cron-parser's
 * previous match (which ignores shifted runs), walk forward with `nextTick`.
 */
export function previousTick(expression: string, timezone: string, beforeMs: number): number | null {
  const iterator = parsed(expression, timezone);
  iterator.reset(new Date(beforeMs));
  let last: number | null = null;
  for (let candidate = 0; candidate < MAX_CANDIDATES && last === null; candidate += 1) {
    if (!iterator.hasPrev()) return null;
    const tick = iterator.prev().getTime();
    const secondPass = secondPassOfRepeatedHour(tick, timezone);
    if (secondPass) iterator.reset(new Date(secondPass.start));
    else if (iterator.includesDate(new Date(tick))) last = tick;
  }
  if (last === null) return null;
  for (let step = 0; step < MAX_CANDIDATES; step += 1) {
    const following = nextTick(expression, timezone, last);
    if (following >= beforeMs) return last;
    last = following;
  }
  return last;
}

export type CatchUpPolicy = 'collapse' | 'skip';

export interface DuePlan {
  /** The tick to run now, or null when the missed runs are skipped. */
  runTick: number | null;
  /** The schedule's next run after this one. */
  nextRun: number;
  /** Whether the due run was missed (no scheduler ran at its time, and it is past the grace period). */
  missed: boolean;
}

/**
 * When no scheduler stepped: from the last claim step before the gap (`from`) to the first one
 * after it (`to`). `from` is -Infinity when no step was ever recorded (the first step of a keyspace).
 */
export interface ClaimOutage {
  from: number;
  to: number;
}

/**
 * What to do with a schedule due at `dueMs` when a scheduler sees it at `now`. A run is missed
 * when its tick fell while no scheduler ran (within `outage`) and it was already more than
 * `graceMs` old when the schedulers came back. A run that is merely late (a backlog while the
 * schedulers ran) is never missed: it runs at its own tick. The missed ones, however many, are:
 * - `collapse` (default): run once, as the latest missed tick, then the schedule goes on;
 * - `skip`: not run; the schedule goes on with its first tick that was not missed.
 */
export function planDueRun(
  schedule: { expression: string; timezone: string; catchUp: CatchUpPolicy },
  dueMs: number,
  now: number,
  graceMs: number,
  outage: ClaimOutage | null,
): DuePlan {
  const { expression, timezone } = schedule;
  const missedBefore = outage ? Math.min(outage.to, now) - graceMs : -Infinity;
  if (!outage || dueMs <= outage.from || dueMs >= missedBefore) return { runTick: dueMs, nextRun: nextTick(expression, timezone, dueMs), missed: false };
  const firstNotMissed = nextTick(expression, timezone, missedBefore - 1);
  if (schedule.catchUp === 'skip') return { runTick: null, nextRun: firstNotMissed, missed: true };
  const lastMissed = previousTick(expression, timezone, missedBefore) ?? dueMs;
  return { runTick: Math.max(lastMissed, dueMs), nextRun: firstNotMissed, missed: true };
}

/**
 * The outage a claim step at `now` must plan with, from the keyspace's clock: a gap longer than
 * the grace period since the last step is an outage ending now; otherwise the latest recorded one
 * (its missed runs may still be due, a batch at a time); none at all before the first step.
 */
export function claimOutage(clock: { lastStep: number | null; outageFrom: number | null; outageTo: number | null }, now: number, graceMs: number): ClaimOutage | null {
  if (clock.lastStep === null) return { from: -Infinity, to: now };
  if (now - clock.lastStep > graceMs) return { from: clock.lastStep, to: now };
  if (clock.outageFrom !== null && clock.outageTo !== null) return { from: clock.outageFrom, to: clock.outageTo };
  return null;
}

function parsed(expression: string, timezone: string): CronExpression {
  const key = `${timezone}\n${expression}`;
  let iterator = expressions.get(key);
  if (!iterator) {
    iterator = CronExpressionParser.parse(expression, { tz: timezone, strict: false });
    if (expressions.size >= MAX_CACHED) expressions.clear();
    expressions.set(key, iterator);
  }
  return iterator;
}

function formatter(timezone: string): Intl.DateTimeFormat {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, format);
  }
  return format;
}

/** The timezone's offset from UTC at `ms`, in ms. */
function offsetAt(ms: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timezone).formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts['year'], parts['month'] - 1, parts['day'], parts['hour'], parts['minute'], parts['second']);
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * For a tick in the second pass of a repeated local hour (its wall-clock time already happened),
 * that pass: from the instant the clocks went back (`start`) to the instant the wall clock passes
 * the first pass's end (`end`, exclusive). Null for any other tick.
 */
function secondPassOfRepeatedHour(tick: number, timezone: string): { start: number; end: number } | null {
  const offset = offsetAt(tick, timezone);
  const before = offsetAt(tick - HOUR_MS, timezone);
  if (before <= offset) return null; // clocks did not go back within the last hour
  const shift = before - offset;
  if (offsetAt(tick - shift, timezone) !== before) return null; // the same wall time, `shift` earlier, under the old offset
  let low = tick - shift; // old offset
  let high = tick; // new offset
  while (high - low > 1000) {
    const middle = Math.floor((low + high) / 2000) * 1000;
    if (offsetAt(middle, timezone) === offset) high = middle;
    else low = middle;
  }
  return { start: high, end: high + shift };
}

/** The first instant after a spring-forward gap that precedes `tick` (within three hours). */
function gapEnd(tick: number, timezone: string): number {
  const after = offsetAt(tick, timezone);
  let low = tick - 3 * HOUR_MS;
  if (offsetAt(low, timezone) === after) return tick;
  let high = tick;
  while (high - low > 1000) {
    const middle = Math.floor((low + high) / 2000) * 1000;
    if (offsetAt(middle, timezone) === after) high = middle;
    else low = middle;
  }
  return high;
}
