// The job histograms follow the scheduler's 'job-started' / 'job-ended' facts: counted where
// they happened (onLocal), never again on a server that only heard of them, and with no read
// of the store per event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase, migrate } from '../../store/database.ts';
import { createStore } from '../../store/store.ts';
import { EventBus } from '../../core/events.ts';
import { PrometheusMetrics } from './prometheus.ts';

void test('queue wait and job duration come from the events, local ones only', async () => {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  const store = createStore(db);
  const events = new EventBus();
  const logs: string[] = [];
  const metrics = new PrometheusMetrics({ store, events, onlineMs: () => 60_000, log: (m) => logs.push(m), track: () => {} });
  const stop = metrics.start();
  events.emit('job-started', 'job_1', 'run_1', 0.04);
  events.emit('job-ended', 'job_1', 'run_1', 'success', 1.5);
  events.emit('job-ended', 'job_2', 'run_1', 'failure', 7);
  events.emitRelayed('job-started', 'job_3', 'run_2', 0.2);
  events.emitRelayed('job-ended', 'job_3', 'run_2', 'success', 1);
  stop();
  events.emit('job-started', 'job_4', 'run_2', 0.2);
  const text = await metrics.text();
  const value = (line: string) => Number(text.split('\n').find((l) => l.startsWith(`${line} `))?.split(' ')[1]);
  assert.equal(value('slipway_job_queue_wait_seconds_count'), 1);
  assert.equal(value('slipway_job_queue_wait_seconds_bucket{le="0.025"}'), 0);
  assert.equal(value('slipway_job_queue_wait_seconds_bucket{le="0.05"}'), 1);
  assert.equal(value('slipway_job_duration_seconds_count{status="success"}'), 1);
  assert.equal(value('slipway_job_duration_seconds_sum{status="success"}'), 1.5);
  assert.equal(value('slipway_job_duration_seconds_count{status="failure"}'), 1);
  assert.deepEqual(logs, []);
  await db.destroy();
});
