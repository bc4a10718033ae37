// A stand-in for GitHub, GitLab and Gitea/Forgejo, which cannot run here (no network): a
// node:http server that serves real bare git repositories over smart HTTP through the real
// `git http-backend` (a CGI bridge of its own, no Slipway code), implements the commit
// status endpoints each forge documents (recording what it was sent), and receives
// notification webhooks. `failNext` makes the next N status calls answer 500.
import http from 'node:http';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface ForgeStandIn {
  url: string;
  /** Status calls and notification deliveries, in arrival order. */
  received: Received[];
  failNext(count: number): void;
  close(): Promise<void>;
}

/** `root` holds the bare repositories `<owner>/<repo>.git`, served at `/<owner>/<repo>.git`. */
export async function startForgeStandIn(root: string): Promise<ForgeStandIn> {
  const received: Received[] = [];
  let failures = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://forge.invalid');
    // Clone URLs look like the forges' own: <origin>/<owner>/<repo>.git
    if (/^\/[^/]+\/[^/]+\.git(\/|$)/.test(url.pathname)) return gitHttpBackend(root, url, req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // GitHub /repos/o/r/statuses/sha (GHE: under /api/v3), Gitea /api/v1/repos/o/r/statuses/sha,
      // GitLab /api/v4/projects/o%2Fr/statuses/sha; /hooks/* are notification receivers.
      const known = /^\/api\/(v3|v1)\/repos\/[^/]+\/[^/]+\/statuses\/[0-9a-f]{40}$/.test(url.pathname) || /^\/api\/v4\/projects\/[^/]+\/statuses\/[0-9a-f]{40}$/.test(url.pathname) || url.pathname.startsWith('/hooks/');
      if (req.method !== 'POST' || !known) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
        return;
      }
      received.push({ method: req.method, path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (failures > 0 && !url.pathname.startsWith('/hooks/')) {
        failures--;
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"try again"}');
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    failNext: (n) => (failures = n),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** git-http-backend(1) as CGI: request body to stdin, `Status:` and headers, then the body. */
function gitHttpBackend(root: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse): void {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: url.pathname,
    REQUEST_METHOD: req.method,
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    ...(typeof req.headers['git-protocol'] === 'string' && { HTTP_GIT_PROTOCOL: req.headers['git-protocol'] }),
    ...(req.headers['content-encoding'] && { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }),
  };
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let started = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (started) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    started = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const [name, ...rest] = line.split(':');
      const value = rest.join(':').trim();
      if (name!.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
      else res.setHeader(name!, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  child.on('close', () => res.end());
}
