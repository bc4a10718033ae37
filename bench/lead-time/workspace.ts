// The pushing side of the benchmark: commits in a working copy of examples/hello (made by
// test/support/harness.ts) pushed with the real git client, and a tight poll of the dev URL
// for the commit it serves.
import { writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gitAuthEnv } from '../../src/git/client.ts';
import { git } from '../../test/support/harness.ts';

const exec = promisify(execFile);

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

export async function editSite(dir: string, version: number): Promise<void> {
  await writeFile(join(dir, 'www/index.html'), `<h1>Hello from Slipway</h1><p>bench version ${version}</p>\n`);
}
