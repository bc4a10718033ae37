// A token's lifetime as people write it: `90m`, `12h`, `30d`. Bounded to a year: a token
// that must outlive that should be made again, on purpose.
const units = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const maxTokenLifetimeMs = 366 * units.d;

/** Milliseconds, or a message saying what was expected. */
export function parseTokenLifetime(text: string): { ms: number } | { error: string } {
  const m = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (!m) return { error: `expected a lifetime such as 90m, 12h or 30d, found "${text}"` };
  const ms = Number(m[1]) * units[m[2] as keyof typeof units];
  if (ms === 0) return { error: 'a token lifetime must be greater than zero' };
  if (ms > maxTokenLifetimeMs) return { error: `a token lifetime is at most 366d, found "${text}"` };
  return { ms };
}
