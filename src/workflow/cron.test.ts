import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlipwayError } from '../core/errors.ts';
import { cronMatches, parseCron } from './cron.ts';

const at = (iso: string): Date => new Date(`${iso}Z`);
const fires = (cron: string, iso: string): boolean => cronMatches(parseCron(cron), at(iso));

void test('numbers, ranges, steps, lists and * in UTC', () => {
  assert.equal(fires('30 5 * * *', '2025-03-04T05:30'), true);
  assert.equal(fires('30 5 * * *', '2025-03-04T05:31'), false);
  assert.equal(fires('*/15 * * * *', '2025-03-04T07:45:59'), true, 'any second of the minute');
  assert.equal(fires('*/15 * * * *', '2025-03-04T07:50'), false);
  assert.equal(fires('0 9-17/4 * * *', '2025-03-04T13:00'), true);
  assert.equal(fires('0 9-17/4 * * *', '2025-03-04T15:00'), false);
  assert.equal(fires('5/20 * * * *', '2025-03-04T10:45'), true, '`a/n` runs from a to the end');
  assert.equal(fires('0 0 1,15 * *', '2025-03-15T00:00'), true);
});

void test('month and weekday names, case-insensitive; 7 is Sunday', () => {
  assert.equal(fires('0 12 * JAN-MAR mon', '2025-02-03T12:00'), true); // Monday
  assert.equal(fires('0 12 * JAN-MAR mon', '2025-04-07T12:00'), false); // April
  assert.equal(fires('0 0 * * 7', '2025-03-02T00:00'), true); // Sunday
  assert.equal(fires('0 0 * * SUN-SAT', '2025-03-05T00:00'), true);
});

void test('day of month and day of week combine with OR when both are restricted', () => {
  // 1st of the month OR any Friday.
  assert.equal(fires('0 0 1 * FRI', '2025-03-01T00:00'), true); // Saturday the 1st
  assert.equal(fires('0 0 1 * FRI', '2025-03-07T00:00'), true); // Friday the 7th
  assert.equal(fires('0 0 1 * FRI', '2025-03-08T00:00'), false);
  // With one side `*`, both must hold (Vixie cron: a field starting with * is unrestricted).
  assert.equal(fires('0 0 */2 * FRI', '2025-03-07T00:00'), true);
  assert.equal(fires('0 0 */2 * FRI', '2025-03-14T00:00'), false);
});

void test('errors name the field and what was expected', () => {
  const err = (cron: string): string => {
    try {
      parseCron(cron);
    } catch (e) {
      assert.ok(isSlipwayError(e, 'WORKFLOW_INVALID'));
      return e.message;
    }
    return 'no error';
  };
  assert.equal(err('* * * *'), 'cron `* * * *` has 4 fields; expected 5 (minute hour day-of-month month day-of-week)');
  assert.equal(err('0 24 * * *'), 'hour field: found `24`, expected 0–23');
  assert.equal(err('0 0 0 * *'), 'day of month field: found `0`, expected 1–31');
  assert.equal(err('0 0 * 13 *'), 'month field: found `13`, expected 1–12 or JAN–DEC');
  assert.equal(err('0 0 * * FUN'), 'day of week field: found `FUN`, expected 0–7 or SUN–SAT');
  assert.equal(err('5-1 * * * *'), 'minute field: found `5-1`, expected a range whose start is not after its end');
  assert.equal(err('*/x * * * *'), 'minute field: found `*/x`, expected a step that is a positive whole number');
  assert.equal(err('1,,2 * * * *'), 'minute field: found ``, expected 0–59');
});

/** The minutes of the UTC day `date` in which `cron` fires, as `HH:MM`. */
function firingsOn(cron: string, date: string): string[] {
  const parsed = parseCron(cron);
  const out: string[] = [];
  for (let m = 0; m < 24 * 60; m++) {
    const when = new Date(Date.parse(`${date}T00:00:00Z`) + m * 60_000);
    if (cronMatches(parsed, when)) out.push(when.toISOString().slice(11, 16));
  }
  return out;
}

void test("GitHub's documented examples (Events that trigger workflows §schedule), minute by minute", () => {
  // 2025-03-03 is a Monday.
  const [mon, tue, wed, thu] = ['2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06'];
  // "Triggers the workflow every day at 5:30 and 17:30 UTC."
  assert.deepEqual(firingsOn('30 5,17 * * *', tue), ['05:30', '17:30']);
  // The two crons of the `github.event.schedule` example: Monday and Wednesday, Tuesday and Thursday.
  assert.deepEqual([mon, tue, wed, thu].map((d) => firingsOn('30 5 * * 1,3', d)), [['05:30'], [], ['05:30'], []]);
  assert.deepEqual([mon, tue, wed, thu].map((d) => firingsOn('30 5 * * 2,4', d)), [[], ['05:30'], [], ['05:30']]);
  // The operator table: `,` list, `-` range, `/` step.
  assert.deepEqual(firingsOn('2,10 4,5 * * *', tue), ['04:02', '04:10', '05:02', '05:10']);
  assert.deepEqual(firingsOn('30 4-6 * * *', tue), ['04:30', '05:30', '06:30']);
  assert.deepEqual(firingsOn('20/15 * * * *', tue).slice(0, 4), ['00:20', '00:35', '00:50', '01:20']);
  // "every 15 minutes" (the shortest interval GitHub runs).
  assert.equal(firingsOn('*/15 * * * *', tue).length, 96);
});
