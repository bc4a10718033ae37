// A duration setting in config.yml: `30m`, `24h`, `10s` (core/duration.ts, the one grammar)
// or a number of seconds; milliseconds once loaded. With `off`, also `off` or 0, loaded as 0.
import { z } from 'zod';
import { parseDuration } from '../core/duration.ts';

export function durationSchema(defaultMs: number, options: { off?: boolean } = {}) {
  const off = options.off === true;
  return z
    .union([z.number().int().min(off ? 0 : 1).transform((seconds) => seconds * 1000), z.string()])
    .transform((value, ctx) => {
      if (off && value === 'off') return 0;
      const ms = typeof value === 'number' ? value : parseDuration(value);
      if (ms === undefined || ms < 0 || (ms === 0 && !off)) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 30m, 24h or 10s (or seconds)${off ? ', or off' : ''}, found ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return ms;
    })
    .default(defaultMs);
}
