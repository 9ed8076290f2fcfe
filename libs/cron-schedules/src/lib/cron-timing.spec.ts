import { assertCronExpression, assertTimezone, InvalidScheduleError, nextTick, planDueRun, previousTick } from './cron-timing';

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

    it('previousTick follows the same policy', () => {
      expect(iso(previousTick('30 2 * * *', PARIS, at('2026-03-29T12:00:00Z')) ?? 0)).toBe('2026-03-29T01:00:00.000Z');
      expect(iso(previousTick('15 * * * *', PARIS, at('2026-10-25T02:00:00Z')) ?? 0)).toBe('2026-10-25T00:15:00.000Z');
    });
  });

  describe('missed runs (controlled clock)', () => {
    const everyMinute = { expression: '0 * * * * *', timezone: 'UTC' };
    const due = at('2026-12-01T10:00:00Z');

    it('a run within the grace period runs at its own tick, and the next one follows it', () => {
      const plan = planDueRun({ ...everyMinute, catchUp: 'collapse' }, due, due + 2000, 30_000);
      expect(plan).toEqual({ runTick: due, nextRun: at('2026-12-01T10:01:00Z'), missed: false });
    });

    it('collapse: the runs missed while no scheduler ran are run once, as the latest missed tick', () => {
      const now = at('2026-12-01T10:30:10Z'); // down for 30 minutes
      const plan = planDueRun({ ...everyMinute, catchUp: 'collapse' }, due, now, 30_000);
      expect(plan).toEqual({ runTick: at('2026-12-01T10:29:00Z'), nextRun: at('2026-12-01T10:30:00Z'), missed: true });
    });

    it('skip: the missed runs are not run, and the schedule resumes with its first tick within the grace period', () => {
      const now = at('2026-12-01T10:30:10Z');
      const plan = planDueRun({ ...everyMinute, catchUp: 'skip' }, due, now, 30_000);
      expect(plan).toEqual({ runTick: null, nextRun: at('2026-12-01T10:30:00Z'), missed: true });
    });

    it('collapse after a long outage of a daily schedule runs the last missed day once', () => {
      const daily = { expression: '0 6 * * *', timezone: PARIS, catchUp: 'collapse' as const };
      const plan = planDueRun(daily, at('2026-12-01T05:00:00Z'), at('2026-12-05T12:00:00Z'), 60_000);
      expect(plan).toEqual({ runTick: at('2026-12-05T05:00:00Z'), nextRun: at('2026-12-06T05:00:00Z'), missed: true });
    });
  });
});
