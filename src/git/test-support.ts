// Shared by the git tests: a real HTTP server in front of GitHosting, and a real git client.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSlipwayError } from '../core/errors.ts';
import type { PushEvent } from '../core/types.ts';
import { gitEnv } from './git-exec.ts';
import { GitHosting, type GitHostingOptions } from './hosting.ts';
import type { User } from '../store/repos/users.ts';

interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the git client in `cwd` with a fixed identity and no user config. Never rejects. */
export function git(cwd: string, args: readonly string[]): Promise<GitRun> {
  const fullArgs = ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'init.defaultBranch=main', ...args];
  return new Promise((resolve) => {
    execFile('git', fullArgs, { cwd, env: gitEnv(), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
  });
}

/** Like git(), but fails the test with git's stderr on a non-zero exit; returns trimmed stdout. */
export async function gitOk(cwd: string, args: readonly string[]): Promise<string> {
  const run = await git(cwd, args);
  if (run.code !== 0) throw new Error(`git ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run.stdout.trim();
}

export interface HostingFixture {
  hosting: GitHosting;
  /** `http://127.0.0.1:<port>/git` */
  base: string;
  /** Every event, in the order the listener saw them. */
  events: PushEvent[];
  /** Request headers of every POST to git-receive-pack. */
  receivePackHeaders: IncomingHttpHeaders[];
  /** handle() calls that have not settled yet. */
  inFlight: () => number;
  /** What the server passes to handle(); tests may flip it. */
  options: { allowCreate: boolean };
  tmp: string;
  close(): Promise<void>;
}

/** A user as the front door hands it to handle(). */
export const testUser = (name: string, role: User['role'] = 'member'): User => ({ id: `usr_${name}`, name, role, created_at: '2026-01-01T00:00:00.000Z' });

interface StartHostingOptions {
  protection?: GitHostingOptions['protection'];
  /** Who the request is from, by the Basic auth user name (git sends it from the URL); default alice. */
  userOf?: (basicUser: string | undefined) => User;
}

function basicUser(authorization: string | undefined): string | undefined {
  if (!authorization?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
  return decoded.slice(0, Math.max(0, decoded.indexOf(':')));
}

/**
 * GitHosting behind `http.createServer` on 127.0.0.1:0, routing `/git/<project>.git/...` to it.
 * With `userOf`, requests without Basic credentials get a 401 challenge, so git sends the
 * user of the URL (`http://bob:x@host/...`), as it does against the real front door.
 */
export async function startHosting(opts: StartHostingOptions = {}): Promise<HostingFixture> {
  const tmp = await mkdtemp(join(tmpdir(), 'slipway-git-'));
  const hosting = new GitHosting({ root: join(tmp, 'repos'), log: (m) => process.stderr.write(`${m}\n`), protection: opts.protection });
  const events: PushEvent[] = [];
  hosting.onPush((event) => {
    events.push(event);
  });
  const receivePackHeaders: IncomingHttpHeaders[] = [];
  const options = { allowCreate: true };
  let inFlight = 0;

  const server: Server = createServer((req, res) => {
    const match = /^\/git\/([^/?]+)\.git(\/[^?]*)?(?:\?.*)?$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const subpath = match[2] ?? '';
    const name = basicUser(req.headers.authorization);
    if (opts.userOf && !name) {
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const user = opts.userOf ? opts.userOf(name) : testUser('alice');
    if (req.method === 'POST' && subpath === '/git-receive-pack') receivePackHeaders.push(req.headers);
    inFlight++;
    hosting
      .handle(req, res, match[1]!, subpath, user, { allowCreate: options.allowCreate })
      .catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        const status = isSlipwayError(err) ? err.status : 500;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(err instanceof Error ? err.message : String(err));
      })
      .finally(() => inFlight--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    hosting,
    base: `http://127.0.0.1:${port}/git`,
    events,
    receivePackHeaders,
    options,
    inFlight: () => inFlight,
    tmp,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
