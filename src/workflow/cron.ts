// `on.schedule` cron expressions: five POSIX fields, UTC (docs.github.com "Events that
// trigger workflows" §schedule: `*`, `,`, `-`, `/`; minute hour day-of-month month
// day-of-week; month and weekday names JAN–DEC, SUN–SAT).
//
// Ours rather than `croner` (issue 8, item 8): this is the whole grammar GitHub accepts in
// about a hundred lines, the scheduler only asks "does it fire in this minute", and the
// errors name the field and what it expects, which a workflow's diagnostics need. croner
// is several times larger and accepts more (seconds, `L`, `W`, `#`, `?`) than GitHub does,
// so we would have to refuse those on top of it. cron.test.ts checks it against GitHub's
// documented examples, minute by minute.
import { SlipwayError } from '../core/errors.ts';

interface Cron {
  text: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Day-of-month / day-of-week written starting with `*` (with or without a step): Vixie cron's rule for OR. */
  daysStar: boolean;
  weekdaysStar: boolean;
}

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const fields: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  // 7 is Sunday too, as in every POSIX-derived cron.
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** Parses a cron expression; throws SlipwayError('WORKFLOW_INVALID') saying which field is wrong. */
export function parseCron(text: string): Cron {
  const parts = text.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5) {
    throw invalid(`cron \`${text}\` has ${parts.length} field${parts.length === 1 ? '' : 's'}; expected 5 (minute hour day-of-month month day-of-week)`);
  }
  const sets = parts.map((part, i) => parseField(part, fields[i] as Field));
  const weekdays = sets[4] as Set<number>;
  if (weekdays.delete(7)) weekdays.add(0);
  return {
    text,
    minutes: sets[0] as Set<number>,
    hours: sets[1] as Set<number>,
    days: sets[2] as Set<number>,
    months: sets[3] as Set<number>,
    weekdays,
    daysStar: (parts[2] as string).startsWith('*'),
    weekdaysStar: (parts[4] as string).startsWith('*'),
  };
}

/** True when the cron fires in the minute that contains `at` (UTC). */
export function cronMatches(cron: Cron, at: Date): boolean {
  if (!cron.minutes.has(at.getUTCMinutes()) || !cron.hours.has(at.getUTCHours())) return false;
  if (!cron.months.has(at.getUTCMonth() + 1)) return false;
  const day = cron.days.has(at.getUTCDate());
  const weekday = cron.weekdays.has(at.getUTCDay());
  // POSIX crontab: when both day fields are restricted, either one matching is enough.
  if (!cron.daysStar && !cron.weekdaysStar) return day || weekday;
  return day && weekday;
}

function parseField(text: string, field: Field): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined) throw fieldError(field, item, 'one `/step` at most');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw fieldError(field, item, 'a step that is a positive whole number');
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      [from, to] = [field.min, field.name === 'day of week' ? 6 : field.max];
    } else {
      const [a = '', b, more] = range.split('-');
      if (more !== undefined) throw fieldError(field, item, 'a range `a-b`');
      from = value(a, field, item);
      // `5/15` means 5 to the end in steps of 15 (cronie; GitHub accepts it).
      to = b !== undefined ? value(b, field, item) : stepText !== undefined ? field.max : from;
      if (to < from) throw fieldError(field, item, `a range whose start is not after its end`);
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

function value(text: string, field: Field, item: string): number {
  const upper = text.toUpperCase();
  const named = field.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (field.name === 'month' ? 1 : 0);
  if (!/^\d+$/.test(text) || Number(text) < field.min || Number(text) > field.max) {
    const names = field.names ? ` or ${field.names[0]}–${field.names[field.names.length - 1]}` : '';
    throw fieldError(field, item, `${field.min}–${field.max}${names}`);
  }
  return Number(text);
}

function fieldError(field: Field, item: string, expected: string): SlipwayError {
  return invalid(`${field.name} field: found \`${item}\`, expected ${expected}`);
}

function invalid(message: string): SlipwayError {
  return new SlipwayError('WORKFLOW_INVALID', message);
}
