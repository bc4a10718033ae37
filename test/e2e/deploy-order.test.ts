// Continuous deployment in commit order (issue 10 item 3), on a real server with real git,
// image builds and podman: an older commit's run made to finish after a newer one's is
// superseded instead of deployed over it; a manual deploy of that older release still
// deploys it; a burst of ten pushes ends with the newest commit serving, and what dev
// serves never goes back to an older commit on the way.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile, rm, glob } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startHarness, helloWorkingCopy, commitAndPush, waitFor, freePort, removeDir, podman, type Harness } from '../support/harness.ts';
import { finished, type DeploymentView, type RunView } from '../support/api-views.ts';

// One job: its image is built only after a step that, when the commit carries a `hold`
// file, waits (in the job container, on the workspace the runner mounted) until the test
// creates `.go` next to the `.held` it leaves, so the test decides when that run finishes.
const workflow = `name: ci
on: { push: { branches: [develop] } }
jobs:
  image:
    runs-on: self-hosted
    steps:
      - uses: actions/checkout@v4
      - name: Hold while the test says so
        run: if [ -e hold ]; then touch .held; while [ ! -e .go ]; do sleep 0.1; done; fi
      - uses: slipway/build-image@v1
        with:
          image: hello
          build-args: COMMIT=\${{ github.sha }}
`;

describe('deploys in commit order', () => {
  let h: Harness;
  let repo: string;
  let publish: number;
  let instance = '';

  const served = async () => (await (await fetch(`http://127.0.0.1:${publish}/up`)).text()).trim();
  const deployments = () => h.api<DeploymentView[]>('/api/deployments?project=hello&env=dev');
  const settled = (sha: string, trigger = 'push') =>
    waitFor(`${trigger} deployment of ${sha.slice(0, 7)}`, async () => {
      const d = (await deployments()).find((x) => x.release?.sha === sha && x.trigger === trigger);
      return d && finished(d.status) ? d : undefined;
    });
  const heldJob = () =>
    waitFor('a held job', async () => {
      for await (const file of glob(join(h.dataDir, 'work', '**', '.held'))) return dirname(file);
      return undefined;
    });

  before(async () => {
    h = await startHarness();
    instance = (await readFile(join(h.dataDir, 'instance.id'), 'utf8')).trim();
    publish = await freePort();
    repo = await helloWorkingCopy(publish);
    await writeFile(join(repo, '.slipway/workflows/ci.yml'), workflow);
    const deployFile = join(repo, '.slipway/deploy.yml');
    // A short drain (not 0s: a probe request in flight to the old container when it stops would fail).
    await writeFile(deployFile, (await readFile(deployFile, 'utf8')).replace('drain_timeout: 5s', 'drain_timeout: 1s'));
  });

  after(async () => {
    await h?.stop();
    const names = (await podman('ps', '-a', '--filter', `label=slipway.instance=${instance}`, '--format', '{{.Names}}').catch(() => '')).split('\n').filter(Boolean);
    for (const name of names) await podman('rm', '-f', name).catch(() => {});
    await removeDir(repo);
    await removeDir(h.dataDir);
  });

  let older = '';
  let newer = '';

  it('an older commit whose run finishes last is superseded by the newer one serving', async () => {
    await writeFile(join(repo, 'hold'), '');
    older = await commitAndPush(repo, h, 'hello', 'older, its run held');
    const held = await heldJob();
    await rm(join(repo, 'hold'));
    newer = await commitAndPush(repo, h, 'hello', 'newer');
    const d2 = await settled(newer);
    assert.equal(d2.status, 'success', d2.error ?? '');
    assert.equal(await served(), newer);

    await writeFile(join(held, '.go'), '');
    const d1 = await settled(older);
    const runs = await h.api<RunView[]>('/api/runs?project=hello');
    assert.equal(runs.find((r) => r.sha === older)?.status, 'success', 'the older run finished, and last');
    assert.equal(d1.status, 'superseded', d1.error ?? '');
    assert.deepEqual(d1.supersededBy, { id: d2.release!.id, sha: newer });
    assert.match(d1.error ?? '', new RegExp(`^superseded: commit ${newer.slice(0, 7)} \\(release ${d2.release!.id}, serving dev\\) is a descendant of ${older.slice(0, 7)}`));
    assert.deepEqual(d1.hosts, [], 'nothing was deployed to any host');
    assert.equal(await served(), newer);
    const log = await (await fetch(`${h.slipway.url}/api/deployments/${d1.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
    assert.match(log, /superseded: commit/);
  });

  it('a manual deploy of the older release still deploys it', async () => {
    const body = JSON.stringify({ commit: older });
    const d = await h.api<DeploymentView>('/api/projects/hello/environments/dev/deployments', { method: 'POST', body });
    const done = await waitFor('manual deployment', async () => {
      const x = await h.api<DeploymentView>(`/api/deployments/${d.id}`);
      return finished(x.status) ? x : undefined;
    });
    assert.deepEqual([done.trigger, done.status, done.supersededBy], ['manual', 'success', null], done.error ?? '');
    assert.equal(await served(), older);
  });

  it('a burst of ten pushes: the newest serves, every other push deployment succeeded or was superseded, and dev never went back', async () => {
    const shas: string[] = [];
    // What dev serves, sampled throughout: its position in push order must never decrease.
    const seen: string[] = [];
    // Answers that name no commit (a refused connection, a 502): counted, not ordered.
    const unanswered: string[] = [];
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const sha = await served().catch((err: unknown) => `error: ${(err as Error).message}`);
        if (!/^[0-9a-f]{40}$/.test(sha)) unanswered.push(sha.slice(0, 80));
        else if (seen.at(-1) !== sha) seen.push(sha);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    for (let i = 1; i <= 10; i++) {
      await writeFile(join(repo, 'www/burst.txt'), `${i}\n`);
      shas.push(await commitAndPush(repo, h, 'hello', `burst ${i}`));
    }
    const outcomes = [];
    for (const sha of shas) outcomes.push(await settled(sha));
    probing = false;
    await probe;

    assert.equal(await served(), shas.at(-1));
    assert.equal(outcomes.at(-1)!.status, 'success', outcomes.at(-1)!.error ?? '');
    for (const d of outcomes) assert.ok(d.status === 'success' || d.status === 'superseded', `${d.release?.sha.slice(0, 7)}: ${d.status} ${d.error ?? ''}`);
    const order = (sha: string) => [older, newer, ...shas].indexOf(sha);
    const positions = seen.map(order);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `dev served, in order: ${seen.map((s) => s.slice(0, 7)).join(' → ')}`);
    // Successes finished in commit order too.
    const successes = outcomes.filter((d) => d.status === 'success').sort((a, b) => Date.parse(a.finishedAt!) - Date.parse(b.finishedAt!));
    assert.deepEqual(successes.map((d) => order(d.release!.sha)), successes.map((d) => order(d.release!.sha)).sort((a, b) => a - b));
    const superseded = outcomes.filter((d) => d.status === 'superseded').length;
    console.log(`burst of 10: ${10 - superseded} deployed, ${superseded} superseded; dev served ${seen.length} commits in turn; ${unanswered.length} probe(s) without a commit${unanswered.length > 0 ? `: ${[...new Set(unanswered)].join('; ')}` : ''}`);
  });
});
