// The data plane does not depend on the control plane: the server (a child process) is
// killed (SIGKILL, SLIPWAY_CRASH_AT) at each phase of a deploy to `local`, then started again.
// A probe asks the environment for /up (the serving commit) back to back the whole time:
// not one request may fail, before, during or after the kill and the restart. After the
// restart the deployment is terminal and says what happened, the environment serves the
// last known-good release (before the switch) or the new one (once switched: it had passed
// its health check), and only that one container of the environment is left.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commitAndPush, freePort, helloWorkingCopy, podman, removeDir, waitFor } from '../support/harness.ts';
import { finished, type DeploymentView } from '../support/api-views.ts';
import { startProbe } from '../support/probe.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import type { Harness } from '../support/harness.ts';
import { busyboxImage } from '../../src/build/base-image.ts';

interface ReleaseView {
  id: string;
  sha: string;
}

/** The phases in deploy order (src/core/crash-point.ts) and whether the new release serves after the restart. */
const phases = [
  { point: 'deploy-started', switched: false },
  { point: 'deploy-checked', switched: false },
  { point: 'deploy-switched', switched: true },
  { point: 'deploy-drained', switched: true },
  { point: 'deploy-removing-old', switched: true },
] as const;

const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

void describe('a deployed service keeps answering while Slipway is killed mid-deploy and restarted', () => {
  let dataDir = '';
  let repo = '';
  let port = 0;
  let publish = 0;
  let instance = '';
  /** Every server started, so a failed test leaves none running. */
  const servers: ServerProcess[] = [];
  const releases: ReleaseView[] = [];
  /** The release serving now. */
  let current: ReleaseView | undefined;
  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const s = await startServerProcess({ dataDir, port, env: { SLIPWAY_RUNNER_ENABLED: 'false', ...env } });
    servers.push(s);
    return s;
  };
  const devUrl = () => `http://127.0.0.1:${publish}/up`;
  const appContainers = async () =>
    (await podman('ps', '-a', '--filter', `label=slipway.instance=${instance}`, '--filter', 'label=slipway.project=hello', '--filter', 'label=slipway.environment=dev', '--format', '{{.Names}} {{.Labels}}')).split('\n').filter(Boolean);
  const settled = (s: ServerProcess, id: string) =>
    waitFor(`deployment ${id} to end`, async () => {
      const d = await s.api<DeploymentView>(`/api/deployments/${id}`).catch(() => undefined);
      return d && finished(d.status) ? d : undefined;
    }, 60_000);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-crash-deploy-'));
    port = await freePort();
    publish = await freePort();
    repo = await helloWorkingCopy(publish);
    // No branch: pushes only build releases; the test deploys them.
    const file = join(repo, '.slipway/deploy.yml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('dev: { branch: develop, ', 'dev: { '));
    const s = await start({ SLIPWAY_RUNNER_ENABLED: 'true' });
    instance = (await readFile(join(dataDir, 'instance.id'), 'utf8')).trim();
    await s.api('/api/projects', json({ name: 'hello' }));
    // commitAndPush reads the URL and token from a Harness; only these two fields.
    const h = { slipway: { url: s.url, adminToken: s.token } } as unknown as Harness;
    const shas = [await commitAndPush(repo, h, 'hello', 'A'), await commitAndPush(repo, h, 'hello', 'B')];
    releases.push(...(await waitFor('two releases', async () => {
      const list = await s.api<ReleaseView[]>('/api/releases?project=hello');
      const found = shas.map((sha) => list.find((r) => r.sha === sha));
      return found.every(Boolean) ? (found as ReleaseView[]) : undefined;
    }, 300_000)));
    const first = await settled(s, (await s.api<DeploymentView>('/api/projects/hello/environments/dev/deployments', json({ release: releases[0]!.id }))).id);
    assert.equal(first.status, 'success', first.error ?? '');
    current = releases[0];
  });

  after(async () => {
    for (const s of servers) await s.kill();
    // Everything of this installation: the app containers and the environment's proxy.
    const all = instance ? (await podman('ps', '-a', '--filter', `label=slipway.instance=${instance}`, '--format', '{{.Names}}').catch(() => '')).split('\n').filter(Boolean) : [];
    for (const name of all) await podman('rm', '-f', '-t', '0', name).catch(() => {});
    if (repo) await removeDir(repo);
    if (dataDir) await removeDir(dataDir);
  });

  it('the deployed service answers while the server is stopped', async () => {
    for (const s of servers) await s.stop();
    const probe = startProbe(devUrl());
    await new Promise((r) => setTimeout(r, 500));
    const result = await probe.stop();
    assert.ok(result.requests > 5, `${result.requests} requests`);
    assert.deepEqual({ failed: result.failed, served: result.served }, { failed: 0, served: [current!.sha] }, result.failures.join('\n'));
  });

  for (const { point, switched } of phases) {
    it(`killed at ${point}: 0 failed requests; ${switched ? 'the new release' : 'the previous release'} serves; the deployment says so; no orphan`, async () => {
      const from = current!;
      const to = releases.find((r) => r.id !== from.id)!;
      const probe = startProbe(devUrl());
      try {
        for (const s of servers) await s.stop();
        const crashing = await start({ SLIPWAY_CRASH_AT: point });
        // The kill may come before the answer: the deployment is found by its release after the restart.
        await crashing.api('/api/projects/hello/environments/dev/deployments', json({ release: to.id })).catch(() => undefined);
        assert.equal(await crashing.exited, 'SIGKILL', `killed at ${point}:\n${crashing.output()}`);
        const restarted = await start();
        const d = (await restarted.api<DeploymentView[]>('/api/deployments?project=hello&env=dev'))[0]!;
        assert.equal(d.release?.sha, to.sha, 'the newest deployment is the interrupted one');
        const done = await settled(restarted, d.id);
        const serving = switched ? to : from;
        assert.equal(done.status, switched ? 'success' : 'failure', done.error ?? '');
        assert.match(done.error ?? '', new RegExp(`^interrupted ${switched ? 'after' : 'before'} the switch \\(the server stopped\\); reconciled on restart: serving release ${serving.id} \\(${serving.sha.slice(0, 7)}\\)`));
        const log = await (await fetch(`${restarted.url}/api/deployments/${d.id}/logs`, { headers: { authorization: `Bearer ${restarted.token}` } })).text();
        assert.match(log, /\[restart\] interrupted/);
        // Once more, after the restart: what serves is what the record says.
        assert.equal((await (await fetch(devUrl())).text()).trim(), serving.sha);
        const containers = await appContainers();
        assert.equal(containers.length, 1, `one container of dev left: ${containers.join('\n')}`);
        assert.match(containers[0]!, new RegExp(`slipway\\.release:${serving.id}`));
        await restarted.stop();
        current = serving;
      } finally {
        const result = await probe.stop();
        assert.ok(result.requests > 10, `${result.requests} requests`);
        assert.equal(result.failed, 0, `failed requests across the kill and restart at ${point}:\n${result.failures.join('\n')}`);
        // Only the releases expected, in order: the previous one, then the new one once switched.
        assert.deepEqual(result.served, switched ? [from.sha, to.sha] : [from.sha]);
      }
    });
  }

  it('a restart brings back a proxy that was removed and removes an orphan container of the environment', async () => {
    for (const s of servers) await s.stop();
    const serving = current!;
    await podman('rm', '-f', '-t', '0', `slipway-proxy-${instance}-hello-dev`);
    await assert.rejects(fetch(devUrl()), 'nothing listens once the proxy is gone');
    // The busybox image exists: the releases were built on it.
    await podman('run', '-d', '--name', `slipway-hello-dev-orphan-${instance}`, '--label', `slipway.instance=${instance}`, '--label', 'slipway.project=hello', '--label', 'slipway.environment=dev', '--label', 'slipway.release=rel_orphan', busyboxImage, 'sleep', '600');
    const restarted = await start();
    assert.equal((await (await fetch(devUrl())).text()).trim(), serving.sha);
    const containers = await appContainers();
    assert.equal(containers.length, 1, containers.join('\n'));
    assert.match(containers[0]!, new RegExp(`slipway\\.release:${serving.id}`));
    assert.match(restarted.output(), new RegExp(`hello/dev: reconciled after the restart: serving release ${serving.id} .*removed slipway-hello-dev-orphan-`));
    await restarted.stop();
  });
});
