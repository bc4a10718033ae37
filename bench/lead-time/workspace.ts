// The pushing side of the benchmark: a working copy of examples/hello, commits pushed with
// the real git client, and a tight poll of the dev URL for the commit it serves.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { gitAuthEnv } from '../../src/cli/git-push.ts';
import { containerToolEnv } from '../../src/core/tool-env.ts';

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

/** A working copy of examples/hello on branch develop whose dev environment publishes on `publish`. */
export async function helloWorkingCopy(publish: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-bench-hello-'));
  await cp(join(repoRoot, 'examples/hello'), dir, { recursive: true });
  const deployFile = join(dir, '.slipway/deploy.yml');
  const text = await readFile(deployFile, 'utf8');
  if (!text.includes('publish: 8081')) throw new Error(`${deployFile}: no "publish: 8081" to rewrite`);
  await writeFile(deployFile, text.replace('publish: 8081', `publish: ${publish}`));
  await git(dir, 'init', '-q', '-b', 'develop');
  return dir;
}

async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], { cwd: dir });
  return stdout.trim();
}

export async function commit(dir: string, message: string): Promise<string> {
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Pushes HEAD to `branch`; resolves with the wall-clock time (ms) at which `git push` returned. */
export async function push(dir: string, serverUrl: string, token: string, project: string, branch: string): Promise<number> {
  await exec('git', ['push', '-q', '--force', `${serverUrl}/git/${project}.git`, `HEAD:refs/heads/${branch}`], { cwd: dir, env: gitAuthEnv(token) });
  return Date.now();
}

/** One GET on a fresh connection (no keep-alive, so the proxy routes every probe anew). */
function probe(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Polls `url` every `everyMs` until it answers `expected`; resolves with the wall-clock time it did. */
export async function waitForAnswer(url: string, expected: string, timeoutMs: number, everyMs = 10): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const started = Date.now();
    if ((await probe(url)) === expected) return Date.now();
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${expected.slice(0, 7)} within ${timeoutMs} ms`);
    await sleep(Math.max(0, started + everyMs - Date.now()));
  }
}

export async function podman(...args: string[]): Promise<string> {
  const { stdout } = await exec('podman', args, { env: containerToolEnv() });
  return stdout.trim();
}

export async function editSite(dir: string, version: number): Promise<void> {
  await writeFile(join(dir, 'www/index.html'), `<h1>Hello from Slipway</h1><p>bench version ${version}</p>\n`);
}
