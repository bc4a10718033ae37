// Delivery metrics (DORA) of one environment, from the deployments Slipway recorded: a pure
// function of the deployments, their releases' commit times and the window, so it is
// tested on fixed data. The window is the last `days` UTC days, today included.
// Definitions (docs/deploy.md "Delivery metrics"):
// - deployment frequency: successful deployments finished in the window (rollbacks are not
//   changes and are left out), in total and per week;
// - lead time: commit time (git committer time of the release's commit) → that deployment
//   finished serving; median and p90 (nearest rank) over the window's deployments;
// - change failure rate: (failed + rolled back) / finished deployments in the window, where a
//   deployment is rolled back when the next successful one of the environment is a rollback;
// - time to restore: a failed deployment → the next successful deployment of the
//   environment (a rollback counts), median over restores that finished in the window.
// A figure with nothing to measure is null, never a made-up 0.
import type { DeploymentStatus } from '../core/types.ts';

export interface MetricDeployment {
  id: string;
  status: DeploymentStatus;
  trigger: string;
  created_at: string;
  finished_at: string | null;
  /** The git committer time of the release's commit (ISO), when known. */
  committed_at: string | null;
}

export interface DeliveryMetrics {
  days: number;
  deployment_frequency: { total: number; per_week: number };
  lead_time_seconds: { median: number | null; p90: number | null };
  change_failure_rate: number | null;
  time_to_restore_seconds: { median: number | null };
  series: { date: string; deployments: number; failures: number; lead_time_seconds_median: number | null }[];
}

const dayMs = 24 * 3600_000;

/** Nearest-rank percentile (p in 0..100) of `values`, or null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const seconds = (fromIso: string, toIso: string) => Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000);

/**
 * `deployments`: every deployment of the environment (any time, any status: what came after
 * the window's deployments decides whether they were rolled back); `now` ends the window.
 */
export function deliveryMetrics(deployments: readonly MetricDeployment[], options: { days: number; now: number }): DeliveryMetrics {
  const { days, now } = options;
  // The window is the last `days` UTC calendar days, today included, so the series' days add up to the totals.
  const today = Math.floor(now / dayMs) * dayMs;
  const start = today - (days - 1) * dayMs;
  const finished = deployments
    .filter((d): d is MetricDeployment & { finished_at: string } => d.finished_at !== null && (d.status === 'success' || d.status === 'failure'))
    .sort((a, b) => Date.parse(a.finished_at) - Date.parse(b.finished_at));
  const inWindow = (iso: string) => Date.parse(iso) >= start && Date.parse(iso) <= now;

  // Rolled back: the next successful deployment after it is a rollback.
  const rolledBack = new Set<string>();
  const restores: { at: string; seconds: number }[] = [];
  let failedSince: string | undefined;
  for (let i = 0; i < finished.length; i++) {
    const d = finished[i]!;
    if (d.status === 'failure') {
      failedSince ??= d.finished_at;
      continue;
    }
    if (failedSince) restores.push({ at: d.finished_at, seconds: seconds(failedSince, d.finished_at) });
    failedSince = undefined;
    const nextSuccess = finished.slice(i + 1).find((n) => n.status === 'success');
    if (d.trigger !== 'rollback' && nextSuccess?.trigger === 'rollback') rolledBack.add(d.id);
  }

  const changes = finished.filter((d) => d.trigger !== 'rollback' && inWindow(d.finished_at));
  const successes = changes.filter((d) => d.status === 'success');
  const failures = changes.filter((d) => d.status === 'failure' || rolledBack.has(d.id));
  const leadTime = (d: MetricDeployment & { finished_at: string }) => (d.committed_at ? seconds(d.committed_at, d.finished_at) : undefined);
  const leadTimes = successes.map(leadTime).filter((s): s is number => s !== undefined);

  const series: DeliveryMetrics['series'] = [];
  for (let t = start; t <= today; t += dayMs) {
    const date = new Date(t).toISOString().slice(0, 10);
    const onDay = (d: { finished_at: string }) => d.finished_at.slice(0, 10) === date;
    const daySuccesses = successes.filter(onDay);
    series.push({
      date,
      deployments: daySuccesses.length,
      failures: failures.filter(onDay).length,
      lead_time_seconds_median: percentile(daySuccesses.map(leadTime).filter((s): s is number => s !== undefined), 50),
    });
  }

  return {
    days,
    deployment_frequency: { total: successes.length, per_week: Math.round((successes.length / (days / 7)) * 100) / 100 },
    lead_time_seconds: { median: percentile(leadTimes, 50), p90: percentile(leadTimes, 90) },
    change_failure_rate: changes.length === 0 ? null : Math.round((failures.length / changes.length) * 1000) / 1000,
    time_to_restore_seconds: { median: percentile(restores.filter((r) => inWindow(r.at)).map((r) => r.seconds), 50) },
    series,
  };
}
