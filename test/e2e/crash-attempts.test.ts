// A job interrupted by a server crash (SIGKILL during a step) runs again as attempt 2 after
// the restart, with a log of its own: attempt 1's log is kept, its open group closed and a
// marker line at its end; attempt 2's log is whole, no line doubled. A job marked
// `retry-on-crash: false` fails instead, saying why. The interrupted step's temp folder is
// gone after the restart. Host jobs (runner.host), so no container is involved.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { git, removeDir, waitFor } from '../support/harness.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import type { RunView } from '../support/api-views.ts';
import { runCli } from '../support/cli.ts';

const dirs: string[] = [];
let server: ServerProcess | undefined;
after(async () => {
  await server?.kill();
  for (const d of dirs) await removeDir(d);
});

/** A job that opens a group, prints three lines, waits for `gate` to exist, then closes the group. */
const workflow = (gate: string, extra = '') => `on: push
jobs:
  t:
    runs-on: [self-hosted, host]
${extra}    steps:
      - run: |
          echo "::group::counting"
          for i in 1 2 3; do echo "line $i"; done
          while [ ! -e ${gate} ]; do sleep 0.1; done
          echo "::endgroup::"
          echo "all done"
`;

async function project(name: string, yaml: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), `slipway-attempts-${name}-`));
  dirs.push(work);
  await mkdir(join(work, '.slipway/workflows'), { recursive: true });
  await writeFile(join(work, '.slipway/workflows/ci.yml'), yaml);
  await git(work, 'init', '-q', '-b', 'main');
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', name);
  return work;
}

const jobLog = async (s: ServerProcess, run: RunView, attempt?: number) =>
  (await s.get(`/api/runs/${run.id}/jobs/${run.jobs[0]!.id}/logs${attempt ? `?attempt=${attempt}` : ''}`)).text();

const count = (text: string, line: string) => text.split('\n').filter((l) => l === line).length;

test('a crash during a step: attempt 1 kept, closed and marked; attempt 2 complete; retry-on-crash: false fails; temp folder removed', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-crash-attempts-'));
  dirs.push(dataDir);
  const gate = join(tmpdir(), `slipway-gate-${randomBytes(6).toString('hex')}`);
  dirs.push(gate);
  const env = { SLIPWAY_RUNNER_HOST: 'true', SLIPWAY_RUNNER_CONCURRENCY: '2' };
  server = await startServerProcess({ dataDir, env });
  const port = server.port;
  await server.push(await project('again', workflow(gate)), 'again');
  await server.push(await project('once', workflow(gate, '    retry-on-crash: false\n')), 'once');

  // Both jobs are inside their step, waiting at the gate with the group open.
  const running = async (p: string) =>
    waitFor(`${p}'s step to wait at the gate`, async () => {
      const [run] = await server!.json<RunView[]>(`/api/runs?project=${p}`);
      if (run?.jobs[0]?.status !== 'running') return undefined;
      return (await jobLog(server!, run)).includes('line 3\n') ? run : undefined;
    }, 120_000);
  const again = await running('again');
  const once = await running('once');
  const instance = (await readFile(join(dataDir, 'instance.id'), 'utf8')).trim();
  const tempRoot = join(tmpdir(), `slipway-tmp-${instance}`);
  const stepDirs = (await readdir(tempRoot)).filter((n) => n.startsWith('slipway-steps-'));
  assert.equal(stepDirs.length, 2, `two running host jobs, two step folders in ${tempRoot}`);

  assert.equal(await server.kill('SIGKILL'), 'SIGKILL');
  await writeFile(gate, '', { mode: 0o644 });
  server = await startServerProcess({ dataDir, env, port });
  for (const d of stepDirs) assert.equal(existsSync(join(tempRoot, d)), false, `${d} was left after the restart`);

  const finished = async (id: string) =>
    waitFor(`run ${id} to finish`, async () => {
      const run = await server!.json<RunView>(`/api/runs/${id}`);
      return run.status === 'success' || run.status === 'failure' ? run : undefined;
    }, 120_000);

  // Re-run: attempt 2, its own complete log; attempt 1's log closed and marked.
  const rerun = await finished(again.id);
  assert.equal(rerun.status, 'success', server.output());
  const job = rerun.jobs[0]!;
  assert.equal(job.attempt, 2);
  assert.deepEqual(job.interruptedAttempts.map((a) => [a.attempt, a.status, a.reason]), [[1, 'interrupted', 'interrupted by a server crash']]);
  const first = await jobLog(server, rerun, 1);
  // The step's group and the step's own `::group::` were open: both are closed.
  assert.match(first, /##\[group\]counting\nline 1\nline 2\nline 3\n##\[endgroup\]\n##\[endgroup\]\n##\[error\]Attempt 1 interrupted by a server crash; the job runs again as attempt 2\.\n$/);
  const second = await jobLog(server, rerun);
  assert.equal(second, await jobLog(server, rerun, 2));
  for (const line of ['##[group]counting', 'line 1', 'line 2', 'line 3', 'all done']) assert.equal(count(second, line), 1, `"${line}" once in attempt 2:\n${second}`);
  assert.equal(count(second, '##[endgroup]'), 2, 'the step group and the counting group, each closed once');
  assert.doesNotMatch(second, /interrupted/);
  assert.match(second, /Job success\n$/);
  // The run's log shows each job's latest attempt.
  assert.equal(count(await (await server.get(`/api/runs/${rerun.id}/logs`)).text(), 'line 1'), 1);
  assert.equal((await fetch(`${server.url}/api/runs/${rerun.id}/jobs/${job.id}/logs?attempt=3`, { headers: { authorization: `Bearer ${server.token}` } })).status, 400);

  // The CLI: the latest attempt, and a note that earlier ones exist; --attempt 1 reads the first.
  const cliEnv = { PATH: process.env.PATH, HOME: dataDir, SLIPWAY_URL: server.url, SLIPWAY_TOKEN: server.token };
  const latest = await runCli(['logs', 'again#1'], { env: cliEnv });
  assert.equal(latest.code, 0, latest.stderr);
  assert.equal(latest.stdout, second);
  assert.match(latest.stderr, /note: job t shows its attempt 2; earlier attempts exist \(attempt 1 interrupted by a server crash\): slipway logs again#1 --job t --attempt N/);
  const earlier = await runCli(['logs', 'again#1', '--attempt', '1'], { env: cliEnv });
  assert.equal(earlier.code, 0, earlier.stderr);
  assert.equal(earlier.stdout, first);

  // Not safe to repeat: failed, saying why, never run again.
  const failed = await finished(once.id);
  assert.equal(failed.status, 'failure');
  assert.equal(failed.jobs[0]!.attempt, 1);
  assert.equal(failed.jobs[0]!.error, 'interrupted by a server crash; retry-on-crash is false');
  assert.match(await jobLog(server, failed), /line 3\n##\[endgroup\]\n##\[endgroup\]\n##\[error\]Attempt 1 interrupted by a server crash; retry-on-crash is false, so the job fails\.\n$/);

  await server.kill('SIGTERM');
  await rm(gate, { force: true });
});
