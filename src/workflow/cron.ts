// `on.schedule` cron expressions: five POSIX fields, UTC (docs: "schedule").
import { SlipwayError } from '../core/errors.ts';

export interface Cron {
  text: string;
}

/** Parses a cron expression; throws SlipwayError('WORKFLOW_INVALID') saying which field is wrong. */
export function parseCron(text: string): Cron {
  throw new SlipwayError('UNSUPPORTED', `cron "${text}" is not supported yet`);
}

/** True when the cron fires in the minute that contains `at` (UTC). */
export function cronMatches(_cron: Cron, _at: Date): boolean {
  return false;
}
