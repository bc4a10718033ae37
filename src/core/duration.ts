// The one duration grammar of config files: a number and a unit, `500ms`, `5s`, `2m`, `24h`
// (deploy.yml's healthcheck and timeouts, config.yml's runner.queueTimeout).

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

type Unit = keyof typeof unitMs;

/** Milliseconds of `text`, or undefined when it is not a duration in one of `units` (deploy.yml's go up to minutes). */
export function parseDuration(text: string, units: readonly Unit[] = ['ms', 's', 'm', 'h']): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!match || !units.includes(match[2] as Unit)) return undefined;
  return Math.round(Number(match[1]) * unitMs[match[2] as Unit]);
}

/** `ms` in the largest unit that divides it: 86400000 → `24h`, 90000 → `90s`. */
export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) if (ms > 0 && ms % unitMs[unit] === 0) return `${ms / unitMs[unit]}${unit}`;
  return `${ms}ms`;
}
