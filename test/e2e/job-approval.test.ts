// Environment protection for jobs (issue 9 items 6 and 7), against a real server, real git
// pushes and real job containers: a job naming an environment whose protected rules (the
// default branch's deploy.yml) require an approval does not start; it waits, says for whom,
// and survives a restart. The pusher cannot approve it (403 naming the rule), nor can a
// developer who is not an approver; a second maintainer can (`slipway approve --job`), and
// the job then runs with the environment's secret, masked in its log. A rejection fails the
// job with the reason and its dependants are skipped.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { git, removeDir, startHarness, waitFor, workingCopy, type Harness } from '../support/harness.ts';
import { finished, type RunView } from '../support/api-views.ts';
import { runCli } from '../support/cli.ts';
import { gitAuthEnv } from '../../src/git/client.ts';

const prodKey = `prod-key-${process.pid}-${Date.now()}`;

const workflow = `name: ship
on: push
jobs:
  build:
    runs-on: self-hosted
    steps:
      - run: echo built
  ship:
    needs: build
    runs-on: self-hosted
    environment: production
    steps:
      - env:
          P: \${{ secrets.PROD_KEY }}
        run: test "\${#P}" = ${prodKey.length} && echo "key $P"
  after:
    needs: ship
    runs-on: self-hosted
    steps:
      - run: echo after
`;

const deployYml = `service: gate
image: gate
port: 8080
environments:
  production: { hosts: [local], publish: 18097, approval: { required: 1 } }
`;

// Responses are read field by field and checked by the assertions themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let h: Harness;
let repo: string;
const tokens: Record<string, string> = {};

const call = async (method: string, path: string, body?: unknown, as?: string): Promise<{ status: number; json: Json }> => {
  const token = as ? tokens[as]! : h.slipway.adminToken;
  const res = await fetch(`${h.slipway.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
};
const cliEnv = (as: string) => ({ PATH: process.env.PATH, HOME: h.dataDir, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: tokens[as]! });
const exec = promisify(execFile);

/** alice (a maintainer) pushes: she is the pusher of every run here. */
async function push(message: string): Promise<void> {
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-q', '--allow-empty', '-m', message);
  await exec('git', ['push', '-q', `${h.slipway.url}/git/gate.git`, 'HEAD:refs/heads/main'], { cwd: repo, env: { ...process.env, ...gitAuthEnv(tokens.alice!) } });
}

const run = async (n: number): Promise<RunView> => {
  const got = await call('GET', `/api/runs/gate%23${n}`);
  if (got.status !== 200) throw new Error(`run #${n}: ${got.status} ${JSON.stringify(got.json)}`);
  return got.json as RunView;
};
const shipWaiting = (n: number) =>
  waitFor(`run #${n}'s ship job waiting`, async () => {
    const r = await run(n).catch(() => undefined);
    return r?.jobs.find((j) => j.key === 'ship')?.status === 'waiting' ? r : undefined;
  }, 120_000);
const runFinished = (n: number) =>
  waitFor(`run #${n} finished`, async () => {
    const r = await run(n).catch(() => undefined);
    return r && finished(r.status) ? r : undefined;
  }, 120_000);
const jobLog = async (r: RunView, key: string) => {
  const job = r.jobs.find((j) => j.key === key)!;
  return (await fetch(`${h.slipway.url}/api/runs/${r.id}/jobs/${job.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
};

before(async () => {
  h = await startHarness();
  repo = await workingCopy('slipway-jobgate-', { '.slipway/workflows/ci.yml': workflow, '.slipway/deploy.yml': deployYml });
  assert.equal((await call('POST', '/api/projects', { name: 'gate' })).status, 201);
  for (const name of ['alice', 'bob', 'dave']) tokens[name] = (await call('POST', '/api/users', { name })).json.token;
  for (const [name, role] of [['alice', 'maintainer'], ['bob', 'maintainer'], ['dave', 'developer']]) assert.equal((await call('PUT', `/api/projects/gate/members/${name}`, { role })).status, 201);
  assert.equal((await call('PUT', '/api/projects/gate/environments/production/secrets/PROD_KEY', { value: prodKey })).status, 200);
});
after(async () => {
  await h?.stop();
  await removeDir(repo);
  await removeDir(h?.dataDir ?? '');
});

test('a job naming a gated environment waits; a second maintainer approves and it runs with the secret', { timeout: 240_000 }, async () => {
  await push('first');
  const waiting = await shipWaiting(1);
  assert.equal(waiting.status, 'waiting');
  assert.deepEqual(waiting.jobs.map((j) => [j.key, j.status, j.gateEnvironment]), [['build', 'success', null], ['ship', 'waiting', 'production'], ['after', 'queued', null]]);
  assert.match(await jobLog(waiting, 'ship'), /waiting for approval of environment production \(0 of 1 needed; who may approve: maintainers of gate\)/);

  // The pusher cannot let her own push through; a developer is no approver of production.
  const self = await call('POST', '/api/runs/gate%231/jobs/ship/approvals', { decision: 'approve' }, 'alice');
  assert.equal(self.status, 403, JSON.stringify(self.json));
  assert.match(self.json.error.message, /alice cannot approve job ship of gate#1 \(environment production\): you pushed commit [0-9a-f]{7}: approval needs someone else \(rule: not_author\)/);
  const dev = await call('POST', '/api/runs/gate%231/jobs/ship/approvals', { decision: 'approve' }, 'dave');
  assert.equal(dev.status, 403, JSON.stringify(dev.json));
  assert.match(dev.json.error.message, /only maintainers of gate approve jobs that use production \(rule: approvers\)/);
  assert.equal((await run(1)).jobs.find((j) => j.key === 'ship')!.status, 'waiting');

  const approved = await runCli(['approve', 'gate#1', '--job', 'ship', '--comment', 'looks good'], { env: cliEnv('bob') });
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, /job ship \(environment production\): approved; now (queued|running|success)/);
  const done = await runFinished(1);
  const log = await jobLog(done, 'ship');
  assert.equal(done.status, 'success', log);
  assert.deepEqual(done.jobs.map((j) => [j.key, j.status]), [['build', 'success'], ['ship', 'success'], ['after', 'success']]);
  assert.match(log, /key \*\*\*\n/);
  assert.ok(!log.includes(prodKey), log);
  assert.doesNotMatch(log, /withheld/);
  // Audited like a deployment's approval.
  const audit = (await call('GET', '/api/audit?action=approval.decide')).json as Json[];
  assert.deepEqual(audit.map((e: Json) => [e.actor, e.target, e.detail.decision, e.detail.route]), [['bob', 'gate#1', 'approve', 'POST /api/runs/:run/jobs/:job/approvals']]);
});

test('a waiting job still waits after a restart; a rejection fails it with the reason and skips its dependants', { timeout: 240_000 }, async () => {
  await push('second');
  await shipWaiting(2);
  await h.restart();
  const again = await run(2);
  assert.equal(again.jobs.find((j) => j.key === 'ship')!.status, 'waiting');
  const noReason = await runCli(['approve', 'gate#2', '--job', 'ship', '--reject'], { env: cliEnv('bob') });
  assert.equal(noReason.code, 2);
  const rejected = await runCli(['approve', 'gate#2', '--job', 'ship', '--reject', '--comment', 'not today'], { env: cliEnv('bob') });
  assert.equal(rejected.code, 0, rejected.stderr);
  const done = await runFinished(2);
  assert.equal(done.status, 'failure');
  const ship = done.jobs.find((j) => j.key === 'ship')!;
  assert.equal(ship.status, 'failure');
  assert.equal(ship.error, 'rejected by bob: not today');
  assert.equal(done.jobs.find((j) => j.key === 'after')!.status, 'skipped');
  const late = await call('POST', '/api/runs/gate%232/jobs/ship/approvals', { decision: 'approve' }, 'bob');
  assert.equal(late.status, 409);
});
