// The event bridge against a real throwaway PostgreSQL: two buses stand for two servers.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { EventBus } from '../../core/events.ts';
import { startPostgres, type TestPostgres } from '../test-postgres.ts';
import { bridgeEvents, type EventBridge } from './event-bridge.ts';

describe('event bridge (LISTEN/NOTIFY)', () => {
  let cluster: TestPostgres;
  let url: string;
  const stored = new Map<string, string>();
  const bridges: EventBridge[] = [];
  const logs: string[] = [];
  const server = async () => {
    const events = new EventBus();
    const bridge = await bridgeEvents({ url, events, readLog: async (s, n) => stored.get(`${s}@${n}`), log: (m) => logs.push(m), maxBackoffMs: 200 });
    bridges.push(bridge);
    return { events, bridge };
  };

  before(async () => {
    cluster = await startPostgres();
    url = await cluster.database();
  });
  after(async () => {
    await Promise.all(bridges.map((b) => b.close()));
    await cluster.stop();
  });

  it('an event emitted on one server is heard on the other, once, and not by its onLocal listeners', async () => {
    const a = await server();
    const b = await server();
    const heardOnA: string[] = [];
    a.events.on('run-updated', (id) => heardOnA.push(id));
    const local: string[] = [];
    b.events.onLocal('run-updated', (id) => local.push(id));
    const arrived = once(b.events, 'run-updated');
    a.events.emit('run-updated', 'run_1');
    assert.deepEqual(await arrived, ['run_1']);
    assert.deepEqual(local, [], 'a relayed event does not run reactions on the server that only heard it');
    // A's own notification came back to it and was skipped: a later event proves it was processed.
    const next = once(a.events, 'job-updated');
    b.events.emit('job-updated', 'job_1', 'run_1');
    assert.deepEqual(await next, ['job_1', 'run_1']);
    assert.deepEqual(heardOnA, ['run_1']);
  });

  it('a log chunk too big for a notification is read from the store; order is kept', async () => {
    const a = await server();
    const b = await server();
    const big = 'x'.repeat(20_000);
    stored.set('job:j@0', 'small\n');
    stored.set('job:j@1', big);
    stored.set('job:j@2', 'after\n');
    const heard: [string, number, string][] = [];
    const three = new Promise<void>((resolve) => b.events.on('log', (s, n, t) => heard.push([s, n, t]) === 3 && resolve()));
    a.events.emit('log', 'job:j', 0, 'small\n');
    a.events.emit('log', 'job:j', 1, big);
    a.events.emit('log', 'job:j', 2, 'after\n');
    await three;
    assert.deepEqual(heard.map(([, n, t]) => [n, t.length]), [[0, 6], [1, 20_000], [2, 6]]);
  });

  it('a dropped listening connection is opened again; waiters are woken to re-check', async () => {
    const a = await server();
    const b = await server();
    const woken = once(b.events, 'jobs-available');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // Every bridge's connection goes; b must come back and hear a again.
      const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'slipway-events'");
      assert.ok((rowCount ?? 0) >= 2);
    } finally {
      await admin.end();
    }
    await woken;
    await a.bridge.listening();
    await b.bridge.listening();
    const arrived = once(b.events, 'deployment-updated');
    a.events.emit('deployment-updated', 'dep_1');
    assert.deepEqual(await arrived, ['dep_1']);
    assert.ok(logs.some((m) => m.includes('dropped')), logs.join('\n'));
  });
  it('identical events queued together go once; a waking event goes at once with those before it, in order; local-only events stay here', async () => {
    const a = await server();
    const b = await server();
    const heard: string[] = [];
    for (const name of ['job-updated', 'run-updated', 'jobs-available', 'job-started', 'job-ended', 'stream-end'] as const) b.events.on(name, (...args: unknown[]) => heard.push([name, ...args].join(' ')));
    const woken = once(b.events, 'jobs-available');
    a.events.emit('job-started', 'job_1', 'run_1', 0.01);
    a.events.emit('job-updated', 'job_1', 'run_1');
    a.events.emit('run-updated', 'run_1');
    await new Promise((r) => setImmediate(r));
    a.events.emit('run-updated', 'run_1');
    a.events.emit('job-ended', 'job_1', 'run_1', 'success', 1);
    a.events.emit('stream-end', 'job:job_1');
    a.events.emit('jobs-available');
    a.events.emit('jobs-available');
    await woken;
    assert.deepEqual(heard, ['job-updated job_1 run_1', 'run-updated run_1', 'stream-end job:job_1', 'jobs-available']);
    // An event with nothing urgent after it still goes, after its short wait for company.
    const alone = once(b.events, 'run-updated');
    a.events.emit('run-updated', 'run_2');
    assert.deepEqual(await alone, ['run_2']);
    assert.deepEqual(heard.slice(4), ['run-updated run_2']);
  });

  it('close sends what still waits for company', async () => {
    const a = await server();
    const b = await server();
    const arrived = once(b.events, 'release-created');
    a.events.emit('release-created', 'rel_1');
    await a.bridge.close();
    assert.deepEqual(await arrived, ['rel_1']);
  });
});
