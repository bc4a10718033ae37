// The whole path: git push → run (checkout, test, image build, registry push) → deploy to
// dev → serving; then a new version, a failing test, an unhealthy app, a broken workflow,
// a wrong token and a restart — each checked through the API and the served URL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, helloWorkingCopy, commitAndPush, waitFor, freePort, removeDir, podman, type Harness } from '../support/harness.ts';
import { finished, type DeploymentView, type RunView } from '../support/api-views.ts';

describe('git push to a running service', () => {
  let h: Harness;
  let repo: string;
  let publish: number;
  const devUrl = () => `http://127.0.0.1:${publish}`;

  const runFor = (sha: string) =>
    waitFor(`run for ${sha.slice(0, 7)}`, async () => {
      const runs = await h.api<RunView[]>('/api/runs?project=hello');
      const run = runs.find((r) => r.sha === sha);
      return run && finished(run.status) ? run : undefined;
    });
  const deploymentFor = (sha: string) =>
    waitFor(`deployment of ${sha.slice(0, 7)}`, async () => {
      const list = await h.api<DeploymentView[]>('/api/deployments?project=hello');
      const d = list.find((x) => x.release?.sha === sha);
      return d && finished(d.status) ? d : undefined;
    });
  const served = async (path = '/up') => {
    const res = await fetch(`${devUrl()}${path}`);
    return { status: res.status, body: (await res.text()).trim() };
  };
  // Only this server's containers: other Slipway instances may deploy a "hello" too.
  const devContainers = async () => {
    const instance = (await readFile(join(h.dataDir, 'instance.id'), 'utf8')).trim();
    return (await podman('ps', '-a', '--filter', `label=slipway.instance=${instance}`, '--filter', 'label=slipway.project=hello', '--format', '{{.Names}}')).split('\n').filter(Boolean);
  };
  /** Pushes a commit with each edit's `from` replaced by `to` in its file and waits for its run; the files are put back after. */
  const pushEdited = async (message: string, ...edits: [file: string, from: string, to: string][]) => {
    const originals: [string, string][] = [];
    try {
      for (const [file, from, to] of edits) {
        const path = join(repo, file);
        const good = await readFile(path, 'utf8');
        if (!good.includes(from)) throw new Error(`${file}: no ${JSON.stringify(from)} to replace`);
        originals.push([path, good]);
        await writeFile(path, good.replace(from, to));
      }
      const sha = await commitAndPush(repo, h, 'hello', message);
      return { sha, run: await runFor(sha) };
    } finally {
      for (const [path, good] of originals) await writeFile(path, good);
    }
  };

  before(async () => {
    h = await startHarness();
    publish = await freePort();
    repo = await helloWorkingCopy(publish);
  });

  after(async () => {
    await h?.stop();
    for (const name of await devContainers().catch(() => [])) await podman('rm', '-f', name).catch(() => {});
    // dev's proxy (an HAProxy container of this installation) outlives the server.
    const instance = (await readFile(join(h.dataDir, 'instance.id'), 'utf8').catch(() => '')).trim();
    if (instance) await podman('rm', '-f', '-t', '0', `slipway-proxy-${instance}-hello-dev`).catch(() => {});
    await removeDir(repo);
    await removeDir(h.dataDir);
  });

  let firstSha = '';

  it('builds, tests, pushes the image and deploys the first version to dev', async () => {
    firstSha = await commitAndPush(repo, h, 'hello', 'first version');
    const run = await runFor(firstSha);
    assert.equal(run.status, 'success', JSON.stringify(run, null, 2));
    assert.deepEqual(run.jobs.map((j) => [j.key, j.status]), [['test', 'success'], ['image', 'success']]);
    assert.match(run.releases[0]!.digest, /^sha256:[a-f0-9]{64}$/);
    const d = await deploymentFor(firstSha);
    assert.equal(d.status, 'success', d.error ?? '');
    assert.deepEqual(await served(), { status: 200, body: firstSha });
    assert.match((await served('/')).body, /Hello from Slipway/);
  });

  it('keeps the run log, with the test output and the build', async () => {
    const runs = await h.api<RunView[]>('/api/runs?project=hello');
    const res = await fetch(`${h.slipway.url}/api/runs/${runs[0]!.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } });
    const text = await res.text();
    assert.match(text, /ok: index and \/up/);
    assert.match(text, /Pushing 127\.0\.0\.1:\d+\/hello\/hello:/);
  });

  let secondSha = '';

  it('serves a new version after the next push and removes the old container', async () => {
    await writeFile(join(repo, 'www/index.html'), '<h1>Hello from Slipway</h1><p>version 2</p>\n');
    secondSha = await commitAndPush(repo, h, 'hello', 'second version');
    assert.equal((await runFor(secondSha)).status, 'success');
    assert.equal((await deploymentFor(secondSha)).status, 'success');
    assert.deepEqual(await served(), { status: 200, body: secondSha });
    assert.match((await served('/')).body, /version 2/);
    const containers = await devContainers();
    assert.equal(containers.length, 1, `one container for dev, found ${containers.join(', ')}`);
  });

  it('a failing test fails the run, builds nothing and leaves dev alone', async () => {
    const test = await readFile(join(repo, 'test/test.sh'), 'utf8');
    await writeFile(join(repo, 'www/index.html'), '<h1>Goodbye</h1>\n');
    const sha = await commitAndPush(repo, h, 'hello', 'breaks the test');
    const run = await runFor(sha);
    assert.equal(run.status, 'failure');
    assert.deepEqual(run.jobs.map((j) => [j.key, j.status]), [['test', 'failure'], ['image', 'skipped']]);
    assert.deepEqual(await served(), { status: 200, body: secondSha });
    await writeFile(join(repo, 'www/index.html'), '<h1>Hello from Slipway</h1><p>version 2</p>\n');
    await writeFile(join(repo, 'test/test.sh'), test);
  });

  it('an app that never becomes healthy fails its deployment and the old version keeps serving', async () => {
    // The health check's deadline comes with the release: 3 s instead of the example's 30 s,
    // since this app never becomes healthy and the test would otherwise wait out the 30 s.
    const { sha, run } = await pushEdited('no health endpoint',
      ['Containerfile', 'RUN echo "$COMMIT" > /www/up', 'RUN rm -f /www/up'],
      ['.slipway/deploy.yml', 'deadline: 30s', 'deadline: 3s']);
    assert.equal(run.status, 'success');
    const d = await deploymentFor(sha);
    assert.equal(d.status, 'failure');
    assert.match(d.error ?? '', /health/i);
    assert.deepEqual(await served(), { status: 200, body: secondSha });
    assert.equal((await devContainers()).length, 1, 'the unhealthy container was removed');
  });

  it('an invalid workflow fails its run with file, line and message; the server keeps serving', async () => {
    const { run } = await pushEdited('typo in workflow', ['.slipway/workflows/ci.yml', '    needs: test\n', '    need: test\n']);
    assert.equal(run.status, 'failure');
    assert.match(run.error ?? '', /\.slipway\/workflows\/ci\.yml:\d+:\d+: .*need.*needs/);
    assert.equal(run.jobs.length, 0);
    assert.deepEqual(await served(), { status: 200, body: secondSha });
  });

  it('an invalid deploy.yml fails the run before anything runs', async () => {
    const { run } = await pushEdited('bad deploy.yml', ['.slipway/deploy.yml', 'port: 8080', 'port: eighty']);
    assert.equal(run.status, 'failure');
    assert.match(run.error ?? '', /\.slipway\/deploy\.yml:3:7: port/);
  });

  it('a wrong or missing token gets 401 from the API, git and the registry', async () => {
    // hello is private: anonymous callers may read only public projects (issue 9), so a bare
    // /api/runs would list the (no) public runs; naming the project asks for hello's.
    for (const path of ['/api/runs?project=hello', '/git/hello.git/info/refs?service=git-upload-pack', '/v2/', '/v2/hello/hello/tags/list']) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
        const res = await fetch(`${h.slipway.url}${path}`, { headers });
        assert.equal(res.status, 401, `${path} ${JSON.stringify(headers)}`);
        // git and the registry challenge for Basic; the API does not (a browser would prompt over the UI).
        if (path.startsWith('/api/')) assert.equal(res.headers.get('www-authenticate'), null, path);
        else assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
      }
    }
  });

  it('a restart keeps projects, runs, logs and deployments, and dev keeps answering', async () => {
    const runsBefore = await h.api<RunView[]>('/api/runs?project=hello');
    const deploymentsBefore = await h.api<DeploymentView[]>('/api/deployments?project=hello');
    await h.restart();
    assert.deepEqual((await h.api<RunView[]>('/api/runs?project=hello')).map((r) => [r.id, r.status]), runsBefore.map((r) => [r.id, r.status]));
    assert.deepEqual((await h.api<DeploymentView[]>('/api/deployments?project=hello')).map((d) => [d.id, d.status]), deploymentsBefore.map((d) => [d.id, d.status]));
    const first = runsBefore.find((r) => r.sha === firstSha)!;
    const res = await fetch(`${h.slipway.url}/api/runs/${first.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } });
    assert.match(await res.text(), /ok: index and \/up/);
    assert.deepEqual(await served(), { status: 200, body: secondSha });
  });

  it('streams a run log live over SSE until the run ends', async () => {
    await mkdir(join(repo, 'notes'), { recursive: true });
    await writeFile(join(repo, 'notes/third.txt'), 'third\n');
    const sha = await commitAndPush(repo, h, 'hello', 'third version');
    const run = await waitFor('run to exist', async () => (await h.api<RunView[]>('/api/runs?project=hello')).find((r) => r.sha === sha));
    const res = await fetch(`${h.slipway.url}/api/runs/${run.id}/logs?follow=1`, { headers: { authorization: `Bearer ${h.slipway.adminToken}`, accept: 'text/event-stream' } });
    const text = await res.text(); // ends when the stream closes, i.e. when the run finished
    assert.match(text, /event: log/);
    assert.match(text, /ok: index and \/up/);
    assert.match(text, /event: end/);
    const after = await h.api<RunView>(`/api/runs/${run.id}`);
    assert.ok(finished(after.status), `run finished when the stream ended (status ${after.status})`);
    assert.equal((await deploymentFor(sha)).status, 'success');
  });
});
