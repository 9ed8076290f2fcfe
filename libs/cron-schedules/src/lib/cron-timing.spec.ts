import { assertCronExpression, assertTimezone, claimOutage, InvalidScheduleError, nextTick, planDueRun, previousTick } from './cron-timing';

const PARIS = 'Europe/Paris';
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** The runs a scheduler would make from `fromIso` on, with a controlled clock: each tick from the previous one. */
function runsFrom(expression: string, fromIso: string, count: number, timezone = PARIS): string[] {
  const runs: string[] = [];
  let cursor = at(fromIso);
  for (let index = 0; index < count; index += 1) {
    cursor = nextTick(expression, timezone, cursor);
    runs.push(iso(cursor));
  }
  return runs;
}

describe('cron timing', () => {
  it('reads 5-field and 6-field (seconds) expressions in the schedule timezone', () => {
    expect(runsFrom('0 9 * * 1-5', '2026-12-04T12:00:00Z', 2)).toEqual(['2026-12-07T08:00:00.000Z', '2026-12-08T08:00:00.000Z']); // 09:00 CET
    expect(runsFrom('*/20 * * * * *', '2026-12-01T10:00:05Z', 3, 'UTC')).toEqual(['2026-12-01T10:00:20.000Z', '2026-12-01T10:00:40.000Z', '2026-12-01T10:01:00.000Z']);
    expect(runsFrom('0 9 * * *', '2026-12-01T00:00:00Z', 1, 'America/New_York')).toEqual(['2026-12-01T14:00:00.000Z']);
  });

  it.each([
    ['61 * * * *', 'cron_expression'],
    ['* * *', 'cron_expression'],
    ['* * * * * * *', 'cron_expression'],
    ['not a cron', 'cron_expression'],
    ['0 0 30 2 *', 'cron_expression'], // 30 February never comes
  ])('refuses %s, naming %s', (expression, param) => {
    expect(() => assertCronExpression(expression, 'UTC')).toThrow(InvalidScheduleError);
    try {
      assertCronExpression(expression, 'UTC');
    } catch (error) {
      expect((error as InvalidScheduleError).param).toBe(param);
    }
  });

  it('refuses a timezone that is not an IANA name', () => {
    expect(() => assertTimezone('Mars/Olympus_Mons')).toThrow(/timezone/);
    expect(() => assertTimezone('')).toThrow(/timezone/);
    expect(() => assertCronExpression('* * * * *', 'Europe/Atlantis')).toThrow(expect.objectContaining({ param: 'timezone' }));
    expect(() => assertTimezone('Europe/Paris')).not.toThrow();
  });

  describe('daylight saving in Europe/Paris', () => {
    it('2026-03-29: a run in the skipped hour (02:30) moves to the next valid time, 03:00 CEST, once', () => {
      expect(runsFrom('30 2 * * *', '2026-03-27T12:00:00Z', 3)).toEqual([
        '2026-03-28T01:30:00.000Z', // 02:30 CET
        '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST
        '2026-03-30T00:30:00.000Z', // 02:30 CEST
      ]);
      expect(runsFrom('0 2 * * *', '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:00:00.000Z']);
    });

    it('2026-03-29: runs outside the gap are untouched, and an hourly schedule goes from 01:15 to 03:15', () => {
      expect(runsFrom('15 * * * *', '2026-03-28T23:30:00Z', 3)).toEqual([
        '2026-03-29T00:15:00.000Z', // 01:15 CET
        '2026-03-29T01:15:00.000Z', // 03:15 CEST (02:15 does not exist)
        '2026-03-29T02:15:00.000Z', // 04:15 CEST
      ]);
    });

    it('2026-10-25: a run in the repeated hour (02:30) runs once, at its first occurrence', () => {
      expect(runsFrom('30 2 * * *', '2026-10-24T12:00:00Z', 2)).toEqual([
        '2026-10-25T00:30:00.000Z', // 02:30 CEST; 02:30 CET (01:30Z) is not run again
        '2026-10-26T01:30:00.000Z',
      ]);
      expect(runsFrom('15 * * * *', '2026-10-24T23:30:00Z', 3)).toEqual([
        '2026-10-25T00:15:00.000Z', // 02:15 CEST
        '2026-10-25T02:15:00.000Z', // 03:15 CET: the second 02:15 (01:15Z) is dropped
        '2026-10-25T03:15:00.000Z',
      ]);
    });

    it('2026-10-25: a seconds schedule runs through the first pass of the repeated hour only', () => {
      const runs = runsFrom('0 */20 * * * *', '2026-10-25T00:30:00Z', 4); // every 20 minutes
      expect(runs).toEqual(['2026-10-25T00:40:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-25T02:20:00.000Z', '2026-10-25T02:40:00.000Z']);
    });

    it('2026-10-25: every-second and every-5-second schedules skip the whole second pass at once', () => {
      const firstPassEnd = at('2026-10-25T00:59:59Z'); // 02:59:59 CEST
      const secondPassEnd = at('2026-10-25T02:00:00Z'); // 03:00:00 CET
      expect(iso(nextTick('* * * * * *', PARIS, firstPassEnd - 1000))).toBe(iso(firstPassEnd));
      expect(iso(nextTick('* * * * * *', PARIS, firstPassEnd))).toBe(iso(secondPassEnd));
      expect(iso(nextTick('* * * * * *', PARIS, at('2026-10-25T01:30:00Z')))).toBe(iso(secondPassEnd)); // from within the second pass
      expect(iso(nextTick('*/5 * * * * *', PARIS, at('2026-10-25T00:59:57Z')))).toBe(iso(secondPassEnd));
      expect(iso(nextTick('* * * * *', PARIS, at('2026-10-25T00:59:00Z')))).toBe(iso(secondPassEnd));
      expect(iso(previousTick('* * * * * *', PARIS, at('2026-10-25T01:30:00Z')) ?? 0)).toBe(iso(firstPassEnd));
      expect(iso(previousTick('*/5 * * * * *', PARIS, at('2026-10-25T02:00:03Z')) ?? 0)).toBe(iso(secondPassEnd));
      expect(() => assertCronExpression('* * * * * *', PARIS, at('2026-10-25T01:10:00Z'))).not.toThrow();
    });

    it('previousTick follows the same policy', () => {
      expect(iso(previousTick('30 2 * * *', PARIS, at('2026-03-29T12:00:00Z')) ?? 0)).toBe('2026-03-29T01:00:00.000Z');
      expect(iso(previousTick('15 * * * *', PARIS, at('2026-10-25T02:00:00Z')) ?? 0)).toBe('2026-10-25T00:15:00.000Z');
    });
  });

  describe('missed runs (controlled clock)', () => {
    const everyMinute = { expression: '0 * * * * *', timezone: 'UTC' };
    const due = at('2026-12-01T10:00:00Z');
    const downSince = (from: number, to: number) => ({ from, to });

    it('a run within the grace period runs at its own tick, and the next one follows it', () => {
      const plan = planDueRun({ ...everyMinute, catchUp: 'collapse' }, due, due + 2000, 30_000, null);
      expect(plan).toEqual({ runTick: due, nextRun: at('2026-12-01T10:01:00Z'), missed: false });
    });

    it('collapse: the runs missed while no scheduler ran are run once, as the latest missed tick', () => {
      const now = at('2026-12-01T10:30:10Z'); // down for 30 minutes
      const plan = planDueRun({ ...everyMinute, catchUp: 'collapse' }, due, now, 30_000, downSince(due - 500, now));
      expect(plan).toEqual({ runTick: at('2026-12-01T10:29:00Z'), nextRun: at('2026-12-01T10:30:00Z'), missed: true });
    });

    it('skip: the missed runs are not run, and the schedule resumes with its first tick within the grace period', () => {
      const now = at('2026-12-01T10:30:10Z');
      const plan = planDueRun({ ...everyMinute, catchUp: 'skip' }, due, now, 30_000, downSince(due - 500, now));
      expect(plan).toEqual({ runTick: null, nextRun: at('2026-12-01T10:30:00Z'), missed: true });
    });

    it('collapse after a long outage of a daily schedule runs the last missed day once', () => {
      const daily = { expression: '0 6 * * *', timezone: PARIS, catchUp: 'collapse' as const };
      const now = at('2026-12-05T12:00:00Z');
      const plan = planDueRun(daily, at('2026-12-01T05:00:00Z'), now, 60_000, downSince(at('2026-12-01T04:00:00Z'), now));
      expect(plan).toEqual({ runTick: at('2026-12-05T05:00:00Z'), nextRun: at('2026-12-06T05:00:00Z'), missed: true });
    });

    it('a run that is late because of a backlog, while the schedulers ran, is not missed: it runs at its own tick', () => {
      const now = at('2026-12-01T10:05:00Z'); // five minutes late, no outage
      expect(planDueRun({ ...everyMinute, catchUp: 'skip' }, due, now, 30_000, null)).toEqual({ runTick: due, nextRun: at('2026-12-01T10:01:00Z'), missed: false });
      // An outage that ended before the tick does not make it missed either.
      const earlier = downSince(at('2026-12-01T09:00:00Z'), at('2026-12-01T09:30:00Z'));
      expect(planDueRun({ ...everyMinute, catchUp: 'skip' }, due, now, 30_000, earlier).missed).toBe(false);
    });

    it('after recovery, missed runs still due in a later step (a batch at a time) are missed; those after the outage are not', () => {
      const outage = downSince(at('2026-12-01T09:59:00Z'), at('2026-12-01T10:30:10Z'));
      const later = at('2026-12-01T10:31:00Z');
      expect(planDueRun({ ...everyMinute, catchUp: 'collapse' }, due, later, 30_000, outage)).toEqual({ runTick: at('2026-12-01T10:29:00Z'), nextRun: at('2026-12-01T10:30:00Z'), missed: true });
      expect(planDueRun({ ...everyMinute, catchUp: 'skip' }, at('2026-12-01T10:30:00Z'), later, 30_000, outage).missed).toBe(false);
    });

    it('claimOutage: none while steps follow each other, one ending now after a gap, the recorded one otherwise', () => {
      const now = at('2026-12-01T10:00:00Z');
      expect(claimOutage({ lastStep: null, outageFrom: null, outageTo: null }, now, 60_000)).toEqual({ from: -Infinity, to: now });
      expect(claimOutage({ lastStep: now - 250, outageFrom: null, outageTo: null }, now, 60_000)).toBeNull();
      expect(claimOutage({ lastStep: now - 120_000, outageFrom: 1, outageTo: 2 }, now, 60_000)).toEqual({ from: now - 120_000, to: now });
      expect(claimOutage({ lastStep: now - 250, outageFrom: 1, outageTo: 2 }, now, 60_000)).toEqual({ from: 1, to: 2 });
    });
  });
});
