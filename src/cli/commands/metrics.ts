import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';

interface MetricsView {
  project: string;
  environment: string;
  days: number;
  deployment_frequency: { total: number; per_week: number };
  lead_time_seconds: { median: number | null; p90: number | null };
  change_failure_rate: number | null;
  time_to_restore_seconds: { median: number | null };
}

/** 42 s, 3 min, 2.5 h, 1.2 d; "—" when there is nothing to measure. */
function span(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 129_600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export const metricsCommand: Command = {
  name: 'metrics',
  summary: "a project's delivery metrics (DORA) for one environment",
  usage: 'PROJECT [--env E] [--days N] [--json]',
  help: `  --env E        environment (default: production, or else the one deployed to last)
  --days N       window in days, today included (default 30)
  --json         the API's answer: the figures and a daily series
${clientHelp}`,
  options: { ...clientOptions, env: { type: 'string' }, days: { type: 'string' } },
  async run(values, [project]) {
    if (!project) throw new CliError('usage: slipway metrics PROJECT [--env E] [--days N] [--json]', 2);
    const days = str(values.days);
    if (days !== undefined && !/^\d+$/.test(days)) throw new CliError(`--days: expected a whole number, got "${days}"`, 2);
    const q = new URLSearchParams();
    const env = str(values.env);
    if (env) q.set('environment', env);
    if (days) q.set('days', days);
    const m = await clientFor(values).json<MetricsView>('GET', `/api/projects/${encodeURIComponent(project)}/metrics${q.size ? `?${q}` : ''}`);
    if (values.json) {
      console.log(JSON.stringify(m, null, 2));
      return 0;
    }
    const rate = m.change_failure_rate === null ? '—' : `${Math.round(m.change_failure_rate * 1000) / 10} %`;
    console.log(`${m.project} ${m.environment}, last ${m.days} days
deployment frequency  ${m.deployment_frequency.total} (${m.deployment_frequency.per_week} a week)
lead time for changes median ${span(m.lead_time_seconds.median)}, p90 ${span(m.lead_time_seconds.p90)}
change failure rate   ${rate}
time to restore       median ${span(m.time_to_restore_seconds.median)}`);
    return 0;
  },
};
