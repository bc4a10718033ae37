// Retention keeps exactly what it promises (issue 14), end to end through the server's
// registry upkeep (src/server/registry-maintenance.ts) on a real registry and store: an
// old release that serves survives, so does the last known-good one, a young one, the
// newest per branch, and one whose tag a rebuild of its commit moved; the rest are listed
// by the dry run, untagged, and freed by the next GC.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { openDatabase, migrate, type Db } from '../../src/store/database.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import type { Release } from '../../src/store/repos/releases.ts';
import { loadConfig } from '../../src/config/config.ts';
import { registryMaintenance } from '../../src/server/registry-maintenance.ts';
import { checkStorage, ociClient, type OciClient } from './oci-client.ts';
import { startTestRegistry, type TestRegistry } from './test-registry.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let t: TestRegistry;
let oci: OciClient;
let db: Db;
let store: Store;
let configDir: string;
before(async () => {
  t = await startTestRegistry();
  oci = ociClient(t.baseUrl);
  db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  store = createStore(db);
  configDir = await mkdtemp(join(tmpdir(), 'slipway-retention-'));
});
after(async () => {
  await db.destroy();
  await t.close();
  await rm(configDir, { recursive: true, force: true });
});

const daysAgo = (n: number): string => new Date(Date.now() - n * 86_400_000).toISOString();

it('keeps serving, last known-good, young and newest-per-branch releases; drops, untags and frees the rest', async () => {
  const project = await store.projects.ensure('shop');
  /** A release as CI records it: image pushed as `shop/app:<sha>`, row backdated. */
  const release = async (name: string, age: number, ref = 'refs/heads/main', sha = name.padEnd(40, '0')): Promise<Release> => {
    const image = await oci.pushImage('shop/app', sha, [randomBytes(1500)]);
    const run = await store.runs.create({ projectId: project.id, workflow: 'ci.yml', name: 'ci', event: 'push', ref, sha, eventPayload: {}, jobs: [] });
    const r = await store.releases.create({ project_id: project.id, run_id: run.id, sha, ref, image: 'shop/app', digest: image.digest });
    await db.updateTable('releases').set({ created_at: daysAgo(age) }).where('id', '=', r.id).execute();
    return { ...r, created_at: daysAgo(age) };
  };
  const deployed = async (r: Release, env: string): Promise<void> => {
    const d = await store.deployments.create({ project_id: project.id, environment: env, release_id: r.id, trigger: 'manual', triggered_by: 'alice' });
    await store.deployments.update(d.id, { status: 'success' });
    await store.deployments.setState({ project_id: project.id, environment: env, release_id: r.id, container: 'c', host_port: 1, publish: null });
  };
  const a1 = await release('a1', 100);
  const a2 = await release('a2', 90);
  const a3 = await release('a3', 80);
  const a4 = await release('a4', 70);
  // a4 rebuilt from the same commit: the tag now points at the rebuild; a4 must still stay.
  const a4b = await release('a4b', 69, 'refs/heads/main', a4.sha);
  const a5 = await release('a5', 2);
  const a6 = await release('a6', 1);
  const f1 = await release('f1', 60, 'refs/heads/feature');
  const f2 = await release('f2', 50, 'refs/heads/feature');
  await deployed(a1, 'production');
  await deployed(a2, 'production'); // a2 serves; a1 is the last known-good
  await deployed(a4, 'staging');

  const config = loadConfig({ dataDir: configDir, env: {}, overrides: { 'registry.retention.keepPerBranch': 1, 'registry.retention.keepDays': 7, 'registry.gc.grace': 0 } });
  const logs: string[] = [];
  const upkeep = registryMaintenance({ registry: t.registry, store, settings: config.registry, log: (m) => logs.push(m) });

  const dry = await upkeep.retention({ dryRun: true });
  const dropped = dry.dropped.map((d) => d.id).sort();
  assert.deepEqual(dropped, [a3.id, a4b.id, f1.id].sort(), 'kept: a1 known-good, a2 serving, a4 serving in staging, a5 and a6 young, f2 newest of feature');
  assert.equal(dry.kept, 6);
  assert.equal(dry.untagged, 0);
  assert.equal((await oci.call(`/v2/shop/app/manifests/${a3.sha}`)).status, 200, 'a dry run untags nothing');

  const applied = await upkeep.retention({ dryRun: false });
  assert.equal(applied.untagged, 2, "a3's and f1's tags; a4b's tag is a4's commit, which stays");
  const freed = await upkeep.gc({ dryRun: false });
  assert.equal(freed.manifests, 2);
  assert.match(logs.join('\n'), /registry retention: 6 release\(s\) kept, 3 dropped, 2 tag\(s\) removed/);
  assert.match(logs.join('\n'), /registry gc: freed 6 blob\(s\)/);

  for (const r of [a1, a2, a4, a4b, a5, a6, f2]) assert.equal((await oci.call(`/v2/shop/app/manifests/${r.digest}`)).status, 200, `${r.sha.slice(0, 3)} stays`);
  for (const r of [a3, f1]) assert.equal((await oci.call(`/v2/shop/app/manifests/${r.digest}`)).status, 404, `${r.sha.slice(0, 3)} went`);
  assert.deepEqual((await checkStorage(t.storage, oci)).unreferenced, []);
});

it('on registry.gc.interval, upkeep purges abandoned uploads, applies retention and collects', async () => {
  const config = loadConfig({ dataDir: configDir, env: {}, overrides: { 'registry.gc.interval': '50ms', 'registry.gc.grace': 0, 'registry.uploads.maxAge': '1ms' } });
  const open = await oci.call('/v2/shop/app/blobs/uploads/', { method: 'POST' });
  assert.equal(open.status, 202);
  const garbage = await oci.pushImage('shop/app', undefined, [randomBytes(100)]);
  const logs: string[] = [];
  let seen!: () => void;
  const collected = new Promise<void>((resolve) => (seen = resolve));
  const upkeep = registryMaintenance({ registry: t.registry, store, settings: config.registry, log: (m) => (logs.push(m), m.startsWith('registry gc:') && seen()) });
  const stop = upkeep.schedule();
  await collected;
  stop();
  await upkeep.idle();
  assert.match(logs[0]!, /^registry: purged 1 abandoned upload\(s\)/);
  assert.match(logs[1]!, /^registry retention: /);
  assert.match(logs[2]!, /^registry gc: freed 3 blob\(s\)/);
  assert.equal((await oci.call(`/v2/shop/app/manifests/${garbage.digest}`)).status, 404);
});
