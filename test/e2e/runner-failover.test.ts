// A runner given two servers of one installation (two `slipway up` processes on one
// PostgreSQL) outlives the one it talks to: kill -9 of that server mid-job moves the
// runner's calls to the other, and the job finishes there with a complete, undoubled log.
// (Each server keeps its git repositories in its own data dir, so the push and the
// checkout go to the first; sharing those is the replicas work, docs/architecture.md.)
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { git, removeDir, waitFor, workingCopy } from '../support/harness.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import type { RunView } from '../support/api-views.ts';
import { mainTs, runCli } from '../support/cli.ts';
import { startPostgres, type TestPostgres } from '../../src/store/test-postgres.ts';

const ticks = 20;
let pg: TestPostgres;
let first: ServerProcess;
let second: ServerProcess;
let home: string;
const dirs: string[] = [];
let runner: ChildProcess | undefined;

before(async () => {
  pg = await startPostgres();
  home = await mkdtemp(join(tmpdir(), 'slipway-failover-'));
  // One installation, one secrets key (a server with another refuses to start: docs/scaling.md).
  const env = { SLIPWAY_DATABASE_URL: await pg.database(), SLIPWAY_RUNNER_ENABLED: 'false', SLIPWAY_LEASE_SECONDS: '12', SLIPWAY_SECRETS_KEY_FILE: join(home, 'secrets.key') };
  for (let i = 0; i < 2; i++) dirs.push(await mkdtemp(join(tmpdir(), `slipway-failover-data-${i}-`)));
  first = await startServerProcess({ dataDir: dirs[0]!, env });
  second = await startServerProcess({ dataDir: dirs[1]!, env });
});

after(async () => {
  if (runner && runner.exitCode === null && runner.signalCode === null) runner.kill('SIGKILL');
  await first?.kill();
  await second?.kill();
  await pg?.stop();
  for (const d of dirs) await removeDir(d);
  await rm(home, { recursive: true, force: true });
});

test('kill -9 of the server a runner talks to: the runner moves to the other server of the installation and the job finishes', { timeout: 240_000 }, async () => {
  const env = { PATH: process.env.PATH, HOME: home };
  const made = await runCli(['runners', 'token', 'create', '--json', '--server', first.url], { env: { ...env, SLIPWAY_TOKEN: first.token } });
  assert.equal(made.code, 0, made.stderr);
  const dir = join(home, 'r-1');
  const reg = await runCli(['runner', 'register', '--server', `${first.url},${second.url}`, '--token', (JSON.parse(made.stdout) as { token: string }).token, '--name', 'r-1', '--labels', 'failover', '--data', dir], { env });
  assert.equal(reg.code, 0, reg.stderr);
  runner = spawn(process.execPath, [mainTs, 'runner', '--data', dir, '--heartbeat-seconds', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [runner.stdout!, runner.stderr!]) s.setEncoding('utf8').on('data', (d: string) => process.stderr.write(`[r-1] ${d}`));

  const work = await workingCopy('slipway-failover-wc-', {
    '.slipway/workflows/ci.yml': `on: push\njobs:\n  long:\n    runs-on: failover\n    steps:\n      - run: |\n          i=1\n          while [ $i -le ${ticks} ]; do echo "tick-$i"; i=$((i+1)); sleep 1; done\n`,
  });
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'ci');
  await first.push(work, 'failover');
  await rm(work, { recursive: true, force: true });
  const logOf = (s: ServerProcess, run: RunView) => s.get(`/api/runs/${run.id}/jobs/${run.jobs[0]!.id}/logs`).then((r) => r.text());
  const run = await waitFor('the job to tick on r-1', async () => {
    const [r] = await first.json<RunView[]>('/api/runs?project=failover');
    if (!r?.jobs[0]) return undefined;
    assert.ok(r.jobs[0].status === 'queued' || r.jobs[0].status === 'running', `${r.jobs[0].status} ${r.jobs[0].error ?? ''}`);
    return (await logOf(first, r)).includes('tick-2\n') ? r : undefined;
  }, 180_000);

  await first.kill('SIGKILL');
  const done = await waitFor('the job to finish, seen through the other server', async () => {
    const r = await second.json<RunView>(`/api/runs/${run.id}`);
    return r.status !== 'queued' && r.status !== 'running' ? r : undefined;
  }, 120_000);
  const log = await logOf(second, done);
  assert.deepEqual([done.status, done.jobs[0]!.attempt], ['success', 1], log);
  const lines = Array.from({ length: ticks }, (_, i) => `tick-${i + 1}`);
  assert.deepEqual(lines.map((l) => log.split('\n').filter((x) => x === l).length), lines.map(() => 1), log);
  assert.doesNotMatch(log, /heartbeat failed/);
  assert.equal(runner.exitCode, null, 'the runner lives on');
});
