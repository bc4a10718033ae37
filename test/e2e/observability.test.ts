// Run it by numbers: a real `slipway up --log-format json` as a Prometheus scraper and a log
// shipper meet it. A pushed two-job workflow runs in containers; then /metrics (admins
// only) counts it, passes `promtool check metrics`, and every line the server printed is a
// JSON object: a line per request and per run, job and deployment state change.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commitAndPush, freePort, git, removeDir, waitFor } from '../support/harness.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { run } from '../../src/exec/run.ts';

const workflow = `on: push
jobs:
  a:
    runs-on: self-hosted
    steps: [{ run: echo a }]
  b:
    needs: a
    runs-on: self-hosted
    steps: [{ run: echo b }]
`;

void describe('/metrics and JSON logs', () => {
  let server: ServerProcess;
  let dataDir: string;
  let work: string;
  let scraped = '';

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-metrics-'));
    work = await mkdtemp(join(tmpdir(), 'slipway-metrics-work-'));
    server = await startServerProcess({ dataDir, port: await freePort(), args: ['--log-format', 'json'] });
    await mkdir(join(work, '.slipway/workflows'), { recursive: true });
    await writeFile(join(work, '.slipway/workflows/ci.yml'), workflow);
    await git(work, 'init', '-q', '-b', 'main');
    const sha = await commitAndPush(work, { slipway: { url: server.url, adminToken: server.token } }, 'numbers', 'two jobs', 'main');
    await waitFor('the run to succeed', async () => {
      const run = (await server.api<{ sha: string; status: string }[]>('/api/runs?project=numbers')).find((r) => r.sha === sha);
      if (run && ['failure', 'cancelled'].includes(run.status)) throw new Error(`run ${run.status}:\n${server.output()}`);
      return run?.status === 'success' ? run : undefined;
    }, 180_000);
    // The registry counts bytes both ways: one authenticated API-version check.
    assert.equal((await fetch(`${server.url}/v2/`, { headers: { authorization: `Bearer ${server.token}` } })).status, 200);
  });

  after(async () => {
    await server?.stop();
    await removeDir(dataDir);
    await removeDir(work);
  });

  const metric = (name: string, labels = '') => {
    const line = scraped.split('\n').find((l) => l.startsWith(`${name}${labels} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };

  it('counts the run, its jobs and their timings, requests by route, runners and the event loop', async () => {
    // What a Prometheus scrape config holds: an admin's token with the read scope only.
    const { token } = await server.api<{ token: string }>('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'prometheus', scope: 'read' }) });
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    scraped = await res.text();
    assert.equal(metric('slipway_runs', '{status="success"}'), 1);
    assert.equal(metric('slipway_jobs', '{status="success"}'), 2);
    assert.equal(metric('slipway_job_duration_seconds_count', '{status="success"}'), 2);
    assert.equal(metric('slipway_job_queue_wait_seconds_count'), 2);
    assert.equal(metric('slipway_runners', '{state="online"}'), 1);
    assert.ok(metric('slipway_http_requests_total', '{method="GET",route="/api/runs",status="200"}')! >= 1, scraped);
    assert.ok(metric('slipway_http_requests_total', '{method="POST",route="/git/:project.git/git-receive-pack",status="200"}')! >= 1);
    assert.ok(metric('slipway_registry_bytes_total', '{direction="out"}')! > 0);
    assert.ok(metric('slipway_nodejs_eventloop_lag_seconds')! >= 0);
    // No raw paths as labels: the project's name appears in none.
    assert.doesNotMatch(scraped, /numbers/);
  });

  it('passes promtool check metrics', async () => {
    assert.match(scraped, /^slipway_runs\{/m, 'the scrape above');
    const checked = await run(['promtool', 'check', 'metrics'], { input: scraped });
    assert.equal(checked.exitCode, 0, checked.output);
  });

  it('is for admins: a member gets 403 naming metrics.read, no token 401', async () => {
    const { token } = await server.api<{ token: string }>('/api/users', { method: 'POST', body: JSON.stringify({ name: 'mo' }) });
    const member = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(member.status, 403);
    assert.match(await member.text(), /missing permission metrics\.read/);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
  });

  it('prints only JSON lines: requests, and each state change of the run and its jobs once', () => {
    const lines = server.output().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.every((l) => typeof l.time === 'string' && l.level === 'info' && typeof l.msg === 'string'));
    assert.ok(lines.some((l) => l.msg === 'request' && l.route === '/api/runs' && l.status === 200 && typeof l.seconds === 'number'));
    const states = (key: string) => lines.filter((l) => l.msg === 'job' && l.key === key).map((l) => l.status);
    assert.deepEqual(states('a'), ['running', 'success']);
    assert.deepEqual(states('b'), ['running', 'success']);
    assert.deepEqual(lines.filter((l) => l.msg === 'run').map((l) => l.status).at(-1), 'success');
  });
});
