// A push is a durable event: the server is killed (SIGKILL, SLIPWAY_CRASH_AT) right after git
// applied a push's ref update, before anything was recorded, and right after the event was
// recorded, before any run existed. After a restart each push has exactly one run.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, git, removeDir, waitFor } from '../support/harness.ts';
import { mainTs } from '../support/cli.ts';
import { gitAuthEnv } from '../../src/git/client.ts';

interface RunView {
  sha: string;
  event: string;
  workflow: string;
}

const workflow = 'on: push\njobs:\n  t:\n    runs-on: self-hosted\n    steps:\n      - run: echo hi\n';

void describe('pushes survive a server killed mid-push', () => {
  const dataDir = mkdtemp(join(tmpdir(), 'slipway-crash-'));
  let server: ChildProcess | undefined;
  let port = 0;
  after(async () => {
    server?.kill('SIGKILL');
    await removeDir(await dataDir);
  });

  /** `slipway up` in a child process (the crash kills it, not the test), runner off: runs stay queued. */
  async function start(crashAt?: string): Promise<{ url: string; token: string; exited: Promise<string | null> }> {
    port ||= await freePort();
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, SLIPWAY_RUNNER_ENABLED: 'false', ...(crashAt && { SLIPWAY_CRASH_AT: crashAt }) };
    const child = spawn(process.execPath, [mainTs, 'up', '--data', await dataDir, '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`server up (${out})`, async () => ((await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false)) ? true : undefined), 30_000);
    return { url, token: (await readFile(join(await dataDir, 'admin.token'), 'utf8')).trim(), exited };
  }

  async function runsOf(url: string, token: string, project: string): Promise<RunView[]> {
    const res = await fetch(`${url}/api/runs?project=${project}`, { headers: { authorization: `Bearer ${token}` } });
    return res.ok ? ((await res.json()) as RunView[]) : [];
  }

  async function commitAndPush(work: string, url: string, token: string, project: string, message: string): Promise<{ sha: string; pushed: boolean }> {
    await writeFile(join(work, 'file.txt'), `${message}\n`);
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', message);
    const sha = await git(work, 'rev-parse', 'HEAD');
    const pushed = await new Promise<boolean>((resolve) => {
      const p = spawn('git', ['push', '-q', `${url}/git/${project}.git`, 'HEAD:refs/heads/main'], { cwd: work, env: gitAuthEnv(token), stdio: 'ignore' });
      p.on('exit', (code) => resolve(code === 0));
    });
    return { sha, pushed };
  }

  for (const [project, point] of [['app-a', 'push-applied'], ['app-b', 'push-recorded']] as const) {
    void it(`killed at ${point}: the push becomes one run after the restart`, async () => {
      const work = join(await dataDir, `work-${point}`);
      await mkdir(join(work, '.slipway/workflows'), { recursive: true });
      await writeFile(join(work, '.slipway/workflows/ci.yml'), workflow);
      await git(work, 'init', '-q', '-b', 'main');

      const crashing = await start(point);
      const { sha } = await commitAndPush(work, crashing.url, crashing.token, project, `commit at ${point}`);
      assert.equal(await crashing.exited, 'SIGKILL', `the server was killed at ${point}`);

      const restarted = await start();
      const runs = await waitFor(`a run of ${sha}`, async () => {
        const mine = (await runsOf(restarted.url, restarted.token, project)).filter((r) => r.sha === sha);
        return mine.length > 0 ? mine : undefined;
      }, 30_000);
      // The restart's own processing has finished once the run exists; a second restart must not repeat it.
      server!.kill('SIGTERM');
      await restarted.exited;
      const again = await start();
      const after = (await runsOf(again.url, again.token, project)).filter((r) => r.sha === sha);
      assert.equal(runs.length, 1);
      assert.deepEqual(after.map((r) => [r.event, r.workflow]), [['push', '.slipway/workflows/ci.yml']]);
      server!.kill('SIGTERM');
      await again.exited;
    });
  }
});
