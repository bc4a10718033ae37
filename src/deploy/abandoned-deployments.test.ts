import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase, migrate } from '../store/database.ts';
import { createStore } from '../store/store.ts';
import { EventBus } from '../core/events.ts';
import { abandonedError, failAbandonedDeployments } from './abandoned-deployments.ts';

test('a running deployment whose lock lease ran out is failed; one whose server renews its lease is left alone', async () => {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  const store = createStore(db);
  const p = await store.projects.ensure('shop');
  const run = await store.runs.create({ projectId: p.id, workflow: '.slipway/workflows/ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha: 'b'.repeat(40), jobs: [] });
  const release = await store.releases.create({ project_id: p.id, run_id: run.id, sha: run.sha, ref: run.ref, image: 'shop/app', digest: `sha256:${'1'.repeat(64)}` });
  const deploy = async (environment: string, holder: string, leaseMs: number) => {
    const d = await store.deployments.create({ project_id: p.id, environment, release_id: release.id, trigger: 'push', triggered_by: 'alice' });
    assert.equal(await store.environmentLocks.acquire({ projectId: p.id, environment, holder, deploymentId: d.id, leaseMs }), true);
    await store.deployments.update(d.id, { status: 'running', started_at: new Date().toISOString() });
    return d;
  };
  const dead = await deploy('staging', 'host-a:1:dead', 1);
  const live = await deploy('production', 'host-b:2:live', 60_000);
  const queued = await store.deployments.create({ project_id: p.id, environment: 'dev', release_id: release.id, trigger: 'push', triggered_by: 'alice' });
  await new Promise((r) => setTimeout(r, 5));
  const events = new EventBus();
  const updated: string[] = [];
  events.on('deployment-updated', (id) => updated.push(id));

  assert.equal(await failAbandonedDeployments({ store, events, holder: 'host-c:3:sweep', leaseMs: 30_000 }), 1);
  const after = await store.deployments.require(dead.id);
  assert.deepEqual([after.status, after.error], ['failure', abandonedError]);
  assert.deepEqual(updated, [dead.id]);
  assert.equal((await store.deployments.require(live.id)).status, 'running');
  assert.equal((await store.deployments.require(queued.id)).status, 'queued');
  assert.equal(await store.environmentLocks.get(p.id, 'staging'), undefined, 'the sweep let the lock go');
  assert.equal((await store.environmentLocks.get(p.id, 'production'))?.holder, 'host-b:2:live');
  await db.destroy();
});
