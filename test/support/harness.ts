// End-to-end harness: a real Slipway server on a temp data dir and a free port, driven
// through its HTTP API and the real git client.
import { mkdtemp, cp, mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSlipway, type Slipway } from '../../src/server/slipway.ts';
import { gitAuthEnv } from '../../src/git/client.ts';
import { containerToolEnv } from '../../src/core/tool-env.ts';
import { finished, type DeploymentView, type RunView } from './api-views.ts';

const exec = promisify(execFile);
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Harness {
  dataDir: string;
  slipway: Slipway;
  api<T>(path: string, init?: RequestInit): Promise<T>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  logs: string[];
}

/** `env`: SLIPWAY_* settings of the server (nothing else of this process's environment); `webDir`: the built UI it serves. */
export async function startHarness(options: { env?: NodeJS.ProcessEnv; webDir?: string } = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-e2e-'));
  const logs: string[] = [];
  let closed = false;
  const start = (port?: number) => {
    closed = false;
    return startSlipway({ dataDir, port: port ?? 0, env: options.env ?? {}, log: (m) => logs.push(m), ...(options.webDir ? { webDir: options.webDir } : {}) });
  };
  const h: Harness = {
    dataDir,
    logs,
    slipway: await start(),
    async api<T>(path: string, init: RequestInit = {}): Promise<T> {
      // The API reads JSON bodies only when they say so (415 otherwise).
      const type: Record<string, string> = typeof init.body === 'string' ? { 'content-type': 'application/json' } : {};
      const res = await fetch(`${h.slipway.url}${path}`, { ...init, headers: { authorization: `Bearer ${h.slipway.adminToken}`, ...type, ...init.headers } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async restart() {
      const port = h.slipway.port;
      await h.stop();
      h.slipway = await start(port);
    },
    async stop() {
      if (closed) return;
      closed = true;
      await h.slipway.close();
    },
  };
  return h;
}

/** A fresh git working copy on branch main holding `files` (path → content), nothing committed yet. */
export async function workingCopy(prefix: string, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  await git(dir, 'init', '-q', '-b', 'main');
  return dir;
}

/** A working copy of examples/hello on branch develop whose dev environment publishes on `publish`. */
export async function helloWorkingCopy(publish: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-hello-'));
  await cp(join(repoRoot, 'examples/hello'), dir, { recursive: true });
  const deployFile = join(dir, '.slipway/deploy.yml');
  const text = await readFile(deployFile, 'utf8');
  if (!text.includes('publish: 8081')) throw new Error(`${deployFile}: no "publish: 8081" to rewrite`);
  await writeFile(deployFile, text.replace('publish: 8081', `publish: ${publish}`));
  await git(dir, 'init', '-q', '-b', 'develop');
  return dir;
}

export async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: dir });
  return stdout.trim();
}

export async function commitAndPush(dir: string, h: { slipway: { url: string; adminToken: string } }, project: string, message: string, branch = 'develop'): Promise<string> {
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  const sha = await git(dir, 'rev-parse', 'HEAD');
  await exec('git', ['push', '-q', '--force', `${h.slipway.url}/git/${project}.git`, `HEAD:refs/heads/${branch}`], { cwd: dir, env: gitAuthEnv(h.slipway.adminToken) });
  return sha;
}

/** Polls `check` until it returns a value, or fails with the last state after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Deployment `id` once it finished (success, failure, rejected, …). */
export function deploymentSettled(h: Harness, id: string, timeoutMs: number): Promise<DeploymentView> {
  return waitFor(`deployment ${id}`, async () => {
    const d = await h.api<DeploymentView>(`/api/deployments/${id}`);
    return finished(d.status) ? d : undefined;
  }, timeoutMs);
}

/** The deployment a push of `sha` started in `env` of `project`, once it finished. */
export function pushDeployment(h: Harness, project: string, env: string, sha: string, timeoutMs: number): Promise<DeploymentView> {
  return waitFor(`push deployment of ${sha.slice(0, 7)}`, async () => {
    const d = (await h.api<DeploymentView[]>(`/api/deployments?project=${project}&env=${env}`)).find((x) => x.release?.sha === sha && x.trigger === 'push');
    return d && finished(d.status) ? d : undefined;
  }, timeoutMs);
}

/** The run a push of `sha` to `project` started, once it finished. */
export function pushRun(h: Harness, project: string, sha: string, timeoutMs = 120_000): Promise<RunView> {
  return waitFor(`the run of ${sha.slice(0, 7)} in ${project}`, async () => {
    const r = (await h.api<RunView[]>(`/api/runs?project=${project}`).catch(() => [])).find((x) => x.sha === sha);
    return r && finished(r.status) ? r : undefined;
  }, timeoutMs);
}

/** A run's whole log (every job), as the API serves it. */
export async function runLog(h: Harness, runId: string): Promise<string> {
  return (await fetch(`${h.slipway.url}/api/runs/${runId}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
}

/** One job's log, as the API serves it. */
export async function jobLog(h: Harness, runId: string, jobId: string): Promise<string> {
  return (await fetch(`${h.slipway.url}/api/runs/${runId}/jobs/${jobId}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
}

/** Removes the containers (a job's own, its services) that jobs of a failed test left behind: they carry the job's label. */
/** The numbers of the `line N` lines of a log, in order (the crash tests' steps print them). */
export const numberedLines = (log: string): number[] => log.split('\n').flatMap((l) => (/^line (\d+)$/.exec(l) ? [Number(l.slice(5))] : []));

export async function removeJobContainers(jobs: readonly { id: string }[]): Promise<void> {
  for (const j of jobs) {
    const names = await podman('ps', '-a', '--filter', `label=slipway.job=${j.id}`, '--format', '{{.Names}}');
    for (const name of names.split('\n').filter(Boolean)) await podman('rm', '-f', name);
  }
}

/** A deployment's log, as the API serves it. */
export async function deploymentLog(h: Harness, id: string): Promise<string> {
  return (await fetch(`${h.slipway.url}/api/deployments/${id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function podman(...args: string[]): Promise<string> {
  const { stdout } = await exec('podman', args, { env: containerToolEnv() });
  return stdout.trim();
}
