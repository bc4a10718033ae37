// Runner labels on a real server: a job whose `runs-on` no online runner offers shows what it
// waits for (API and `slipway logs`) and fails after runner.queueTimeout with that message;
// runners are listed to admins only (GET /api/runners, `slipway runners`).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startSlipway, type Slipway } from '../../src/server/slipway.ts';
import { gitAuthEnv } from '../../src/git/client.ts';
import { git, waitFor, workingCopy } from '../support/harness.ts';
import { runCli } from '../support/cli.ts';

const exec = promisify(execFile);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let slipway: Slipway;
let dataDir: string;
let work: string;

const api = async (path: string, token = slipway.adminToken): Promise<{ status: number; json: Json }> => {
  const res = await fetch(`${slipway.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: await res.json() };
};
const cli = (...args: string[]) => runCli(args, { env: { PATH: process.env.PATH, HOME: dataDir, SLIPWAY_URL: slipway.url, SLIPWAY_TOKEN: slipway.adminToken } });
const waiting = 'waiting for a runner with labels [ubuntu-22.04]; online runners offer [linux]';

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-runner-labels-'));
  // The built-in runner offers only `linux` (an image no job here ever runs in), and gives up on a job after 8 s.
  await writeFile(join(dataDir, 'config.yml'), 'runner:\n  labels:\n    linux: docker://localhost/never-pulled\n  queueTimeout: 8s\n');
  slipway = await startSlipway({ dataDir, port: 0, env: {}, log: () => {} });
  work = await workingCopy('slipway-runner-labels-wc-', {
    '.slipway/workflows/ci.yml': 'name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: echo never\n',
  });
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'ci on a label nobody has');
  await exec('git', ['push', '-q', `${slipway.url}/git/labels.git`, 'HEAD:refs/heads/main'], { cwd: work, env: gitAuthEnv(slipway.adminToken) });
});

after(async () => {
  await slipway?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

test('a job no online runner can take says what it waits for, then fails after runner.queueTimeout', async () => {
  const started = Date.now();
  const job = await waitFor('the job to show its wait', async () => {
    const runs = (await api('/api/runs?project=labels')).json as Json[];
    if (runs.length === 0) return undefined;
    const run = (await api(`/api/runs/${runs[0].id}`)).json;
    return run.jobs[0].waitingFor ? run.jobs[0] : undefined;
  }, 20_000);
  assert.equal(job.status, 'queued');
  assert.equal(job.waitingFor, waiting);
  const logs = await cli('logs', 'labels#1');
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stderr, new RegExp(`job build: ${waiting.replace(/[[\].]/g, '\\$&')}`));

  const run = await waitFor('the run to fail', async () => {
    const r = (await api('/api/runs/labels%231')).json;
    return r.status === 'failure' ? r : undefined;
  }, 30_000);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 6_000, `failed after ${elapsed} ms, before the 8 s timeout could pass`);
  assert.equal(run.jobs[0].error, `${waiting}; gave up after 8s (runner.queueTimeout)`);
  assert.equal(run.jobs[0].waitingFor, null);
  const after = await cli('logs', 'labels#1');
  assert.match(after.stdout, /##\[error\]waiting for a runner with labels \[ubuntu-22\.04\]; online runners offer \[linux\]; gave up after 8s/);
});

test('admins list runners with their labels; anyone else is refused, naming runners.read', async () => {
  const { status, json } = await api('/api/runners');
  assert.equal(status, 200);
  assert.equal(json.length, 1);
  assert.match(json[0].name, /^builtin-/);
  assert.equal(json[0].online, true);
  assert.deepEqual(json[0].labels, ['linux']);
  assert.deepEqual(json[0].jobs, []);
  const listed = await cli('runners', '--json');
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(JSON.parse(listed.stdout).map((r: Json) => r.name), [json[0].name]);

  const res = await fetch(`${slipway.url}/api/users`, { method: 'POST', headers: { authorization: `Bearer ${slipway.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'dev' }) });
  const { token } = (await res.json()) as { token: string };
  const refused = await api('/api/runners', token);
  assert.equal(refused.status, 403);
  assert.match(JSON.stringify(refused.json), /runners\.read/);
});
