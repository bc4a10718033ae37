// The DORA figures on fixed data: every definition in metrics.ts checked by hand-counted numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deliveryMetrics, percentile, type MetricDeployment } from './metrics.ts';

const now = Date.parse('2026-03-31T12:00:00Z');
let n = 0;
function d(status: MetricDeployment['status'], finished: string | null, committed: string | null, trigger = 'push'): MetricDeployment {
  n += 1;
  return { id: `dep_${n}`, status, trigger, created_at: finished ?? '2026-03-31T00:00:00Z', finished_at: finished, committed_at: committed };
}

test('nearest-rank percentiles', () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([5], 90), 5);
  assert.equal(percentile([4, 1, 3, 2], 50), 2);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
});

test('frequency, lead time, failure rate, restore time and the daily series', () => {
  const deployments = [
    d('success', '2026-02-01T10:00:00Z', '2026-02-01T09:00:00Z'), // before the 30-day window
    d('success', '2026-03-10T10:00:00Z', '2026-03-10T09:00:00Z'), // lead 3600; rolled back below
    d('success', '2026-03-10T11:00:00Z', '2026-03-01T11:00:00Z', 'rollback'), // not a change
    d('failure', '2026-03-20T10:00:00Z', '2026-03-20T09:30:00Z'), // failed
    d('failure', '2026-03-20T10:30:00Z', '2026-03-20T10:20:00Z'), // still failing
    d('success', '2026-03-20T12:00:00Z', '2026-03-20T11:00:00Z'), // lead 3600; restores after 7200 s
    d('success', '2026-03-31T08:00:00Z', '2026-03-30T08:00:00Z'), // lead 86400
    d('rejected', '2026-03-31T09:00:00Z', '2026-03-31T08:30:00Z'), // never ran: no change
    d('running', null, '2026-03-31T11:00:00Z'),
  ];
  const m = deliveryMetrics(deployments, { days: 30, now });
  assert.deepEqual(m.deployment_frequency, { total: 3, per_week: 0.7 });
  assert.deepEqual(m.lead_time_seconds, { median: 3600, p90: 86400 });
  // 5 changes finished in the window: 2 failed + 1 rolled back.
  assert.equal(m.change_failure_rate, 0.6);
  assert.deepEqual(m.time_to_restore_seconds, { median: 7200 });
  assert.equal(m.series.length, 30);
  assert.equal(m.series[0]!.date, '2026-03-02');
  assert.equal(m.series.at(-1)!.date, '2026-03-31');
  const day = (date: string) => m.series.find((s) => s.date === date)!;
  assert.deepEqual(day('2026-03-10'), { date: '2026-03-10', deployments: 1, failures: 1, lead_time_seconds_median: 3600 });
  assert.deepEqual(day('2026-03-20'), { date: '2026-03-20', deployments: 1, failures: 2, lead_time_seconds_median: 3600 });
  assert.deepEqual(day('2026-03-31'), { date: '2026-03-31', deployments: 1, failures: 0, lead_time_seconds_median: 86400 });
  assert.deepEqual(day('2026-03-15'), { date: '2026-03-15', deployments: 0, failures: 0, lead_time_seconds_median: null });
  assert.equal(m.series.reduce((a, s) => a + s.deployments, 0), m.deployment_frequency.total);

  const wide = deliveryMetrics(deployments, { days: 90, now });
  assert.equal(wide.deployment_frequency.total, 4);
  assert.equal(wide.series.length, 90);
});

test('nothing to measure is null, not zero', () => {
  const m = deliveryMetrics([d('success', '2026-03-31T10:00:00Z', null)], { days: 30, now });
  assert.deepEqual(m.deployment_frequency, { total: 1, per_week: 0.23 });
  assert.deepEqual(m.lead_time_seconds, { median: null, p90: null }); // commit time unknown
  assert.equal(m.change_failure_rate, 0);
  assert.deepEqual(m.time_to_restore_seconds, { median: null });
  assert.equal(deliveryMetrics([], { days: 30, now }).change_failure_rate, null);
});
