// "A lock held by a crashed process is released on the next start or after its lease ends —
// never stuck forever, never two holders", with a real process: a separate Node process
// opens the server's database and takes dev's lock, then is SIGKILLed. On this host the
// next start releases the dead holder's lock; a lock named after another host (whose pid
// this host cannot check) is taken over only once its lease has ended.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFile } from 'node:fs/promises';
import { startHarness, helloWorkingCopy, commitAndPush, waitFor, deploymentSettled, deploymentLog, freePort, removeDir, podman, repoRoot, type Harness } from '../support/harness.ts';
import { finished, type DeploymentView } from '../support/api-views.ts';
import type { LockView } from '../../src/deploy/service.ts';

/** deployment-view.ts types `lock` as unknown; deploy/service.ts's lockView fills it. */
const lockOf = (d: DeploymentView) => d.lock as LockView | null;
const moduleUrl = (path: string) => pathToFileURL(join(repoRoot, path)).href;

/** Opens the database at LOCK_DB, takes LOCK_PROJECT's dev lock as its own holder, says so, and hangs. */
const lockHolderScript = `
import { openDatabase } from ${JSON.stringify(moduleUrl('src/store/database.ts'))};
import { createStore } from ${JSON.stringify(moduleUrl('src/store/store.ts'))};
import { acquireEnvironmentLock, defaultLockTiming, newHolderId } from ${JSON.stringify(moduleUrl('src/deploy/gate/environment-lock.ts'))};
const store = createStore(openDatabase({ sqlitePath: process.env.LOCK_DB }));
const holder = newHolderId();
await acquireEnvironmentLock(store, {
  projectId: process.env.LOCK_PROJECT, environment: 'dev', deploymentId: 'dep_crashed_child', holder,
  timing: defaultLockTiming, onWait: () => {}, signal: new AbortController().signal,
});
process.stdout.write('locked ' + holder + '\\n');
setInterval(() => {}, 1 << 30);
`;

describe('environment locks of crashed processes (local target)', () => {
  let h: Harness;
  let repo: string;
  let instance = '';
  let projectId = '';
  let sha = '';
  let child: ChildProcess | undefined;

  const post = (path: string, body: unknown) => h.api<DeploymentView>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const deployDev = () => post('/api/projects/hello/environments/dev/deployments', { commit: sha });
  const deployment = (id: string) => h.api<DeploymentView>(`/api/deployments/${id}`);
  const settled = (id: string) => deploymentSettled(h, id, 30_000);
  const queuedBehind = (id: string, holder: string) =>
    waitFor(`deployment ${id} queued behind ${holder}`, async () => {
      const d = await deployment(id);
      return d.status === 'queued' && lockOf(d)?.holder === holder ? d : undefined;
    }, 10_000);
  const lockRow = () => h.slipway.store.environmentLocks.get(projectId, 'dev');
  const logOf = (id: string) => deploymentLog(h, id);

  before(async () => {
    h = await startHarness();
    instance = (await readFile(join(h.dataDir, 'instance.id'), 'utf8')).trim();
    repo = await helloWorkingCopy(await freePort());
    await post('/api/projects', { name: 'hello' });
    projectId = (await h.slipway.store.projects.require('hello')).id;
    sha = await commitAndPush(repo, h, 'hello', 'first');
    const pushed = await waitFor('the push deployment', async () => {
      const d = (await h.api<DeploymentView[]>('/api/deployments?project=hello&env=dev')).find((x) => x.trigger === 'push');
      return d && finished(d.status) ? d : undefined;
    }, 60_000);
    assert.equal(pushed.status, 'success', pushed.error ?? '');
  });

  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await h?.stop();
    const all = (await podman('ps', '-a', '--filter', `label=slipway.instance=${instance}`, '--format', '{{.Names}}').catch(() => '')).split('\n').filter(Boolean);
    for (const name of all) await podman('rm', '-f', name).catch(() => {});
    if (repo) await removeDir(repo);
    if (h) await removeDir(h.dataDir);
  });

  it('a lock of a killed process on this host: one holder while it lives, released at the next start', async () => {
    child = spawn(process.execPath, ['--input-type=module', '-e', lockHolderScript], {
      env: { ...process.env, LOCK_DB: join(h.slipway.config.dataDir, 'slipway.db'), LOCK_PROJECT: projectId },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const childHolder = await waitFor('the child to take the lock', async () => /^locked (\S+)\n/.exec(out)?.[1], 15_000);
    assert.ok(childHolder.startsWith(`${hostname()}:${child.pid}:`), childHolder);

    // Never two holders: neither the server's deployment nor another contender gets it.
    const queued = await deployDev();
    const waiting = await queuedBehind(queued.id, childHolder);
    assert.deepEqual(lockOf(waiting)?.deployment, { id: 'dep_crashed_child', number: null });
    const contender = { projectId, environment: 'dev', holder: 'test-contender', deploymentId: 'dep_contender', leaseMs: 60_000 };
    assert.equal(await h.slipway.store.environmentLocks.acquire(contender), false);
    assert.equal((await lockRow())?.holder, childHolder);

    child.kill('SIGKILL');
    assert.deepEqual(await exited, [null, 'SIGKILL']);
    // Dead but within its lease: the lock still names it, the deployment still waits.
    assert.equal((await queuedBehind(queued.id, childHolder)).status, 'queued');

    await h.restart();
    assert.ok(h.logs.includes(`released the lock on dev left by ${childHolder} (no longer running)`), h.logs.join('\n'));
    assert.equal(await lockRow(), undefined);
    // A graceful stop ends a deployment still waiting for a lock; it is not resumed.
    const stopped = await deployment(queued.id);
    assert.equal(stopped.status, 'failure');
    assert.match(stopped.error ?? '', /stopped while waiting for the environment lock/);

    const fresh = await settled((await deployDev()).id);
    assert.equal(fresh.status, 'success', fresh.error ?? '');
    assert.equal(await lockRow(), undefined);
  });

  it("a lock of another host's process survives a restart and is taken over once its lease ends", async () => {
    const elsewhere = 'elsewhere.invalid:4242:deadbeef';
    const store = h.slipway.store;
    assert.equal(await store.environmentLocks.acquire({ projectId, environment: 'dev', holder: elsewhere, deploymentId: 'dep_elsewhere', leaseMs: 60_000 }), true);
    await h.restart();
    assert.equal((await lockRow())?.holder, elsewhere, 'its pid cannot be judged from here: the lock stays');
    // Its holder's last renewal, before it crashed: the lease ends in 5 s.
    assert.equal(await h.slipway.store.environmentLocks.renew(projectId, 'dev', elsewhere, 5000), true);
    const leaseEnds = (await lockRow())!.lease_expires_at;

    // The POST's own view, read right after the request: the lease is still live.
    const d = await deployDev();
    assert.equal(d.status, 'queued');
    assert.deepEqual([lockOf(d)?.holder, lockOf(d)?.deployment.id, lockOf(d)?.expiresAt], [elsewhere, 'dep_elsewhere', leaseEnds]);
    assert.equal((await lockRow())?.holder, elsewhere);

    const done = await settled(d.id);
    assert.equal(done.status, 'success', done.error ?? '');
    assert.ok(Date.parse(done.startedAt!) >= Date.parse(leaseEnds), `started ${done.startedAt}, lease ended ${leaseEnds}`);
    assert.match(await logOf(d.id), /Queued: dev is locked by deployment dep_elsewhere \(elsewhere\.invalid:4242:deadbeef, lease until /);
    assert.equal(await lockRow(), undefined);
  });
});
