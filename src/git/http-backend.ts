// Smart HTTP through the real `git http-backend` CGI program (git-http-backend(1)): the request
// body streams into it, its response streams back; neither is ever held whole in memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signalGroup } from '../exec/kill.ts';
import { spawnProcess } from '../exec/spawn-process.ts';
import { gitConfigEnv } from './config-env.ts';
import { CgiHeadParser } from './cgi-response.ts';
import { gitEnv } from './git-exec.ts';

interface CgiRequest {
  /** GIT_PROJECT_ROOT: the directory holding the bare repositories. */
  root: string;
  /** `/<project>.git/<subpath>`, relative to root. */
  pathInfo: string;
  query: string;
  /** The authenticated user; git records it as the committer of reflog entries. */
  remoteUser: string;
  /** Slipway's hooks dir (hooks-dir.ts), git's core.hooksPath for every request. */
  hooksDir: string;
  /** More environment for git and its hooks (the push's protection policy). */
  env?: Record<string, string>;
  /** Body bytes the caller read already (command-list.ts); written to git before the rest. */
  bodyHead?: Buffer[];
  /** Stop git when the client goes away (fetches). Pushes run to the end so refs stay consistent. */
  killOnDisconnect: boolean;
  /** Rewrites the response body as it streams (a push's SidebandTail holds its final flush-pkt back). */
  transformBody?: (chunk: Buffer) => Buffer;
}

/** Environment for the CGI (RFC 3875 §4.1 meta-variables, plus what git-http-backend(1) reads). */
function cgiEnv(req: IncomingMessage, cgi: CgiRequest): NodeJS.ProcessEnv {
  const extra: Record<string, string> = {
    GATEWAY_INTERFACE: 'CGI/1.1',
    GIT_PROJECT_ROOT: cgi.root,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: cgi.pathInfo,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: cgi.query,
    REMOTE_USER: cgi.remoteUser,
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    // The server already authorised this user, so let http-backend run receive-pack. Only
    // Slipway's hooks run: this setting outranks any core.hooksPath in the repository's config.
    ...cgi.env,
    ...gitConfigEnv({ 'http.receivepack': 'true', 'core.hooksPath': cgi.hooksDir }),
  };
  const contentType = req.headers['content-type'];
  if (contentType) extra.CONTENT_TYPE = contentType;
  // Without CONTENT_LENGTH http-backend reads the body to EOF, which is what a chunked request needs.
  const contentLength = req.headers['content-length'];
  if (contentLength && !req.headers['transfer-encoding']) extra.CONTENT_LENGTH = contentLength;
  // http-backend inflates gzip'd bodies itself when told through HTTP_CONTENT_ENCODING.
  const contentEncoding = req.headers['content-encoding'];
  if (contentEncoding) extra.HTTP_CONTENT_ENCODING = contentEncoding;
  // Protocol v2 is negotiated through this header (gitprotocol-http(5)).
  const gitProtocol = req.headers['git-protocol'];
  if (typeof gitProtocol === 'string') extra.HTTP_GIT_PROTOCOL = gitProtocol;
  return gitEnv(extra);
}

/**
 * Run one request through http-backend. Writes the status, headers and body to `res` but does
 * not end it, so the caller can finish its own work (e.g. announce pushed refs) before the client
 * sees the end of the response. Resolves once git has exited and all its output was written;
 * a failure shows in the response (git's own, or a 500 when it wrote no head).
 */
export function runHttpBackend(req: IncomingMessage, res: ServerResponse, cgi: CgiRequest): Promise<void> {
  return new Promise((resolve) => {
    // Its own process group (as everything src/exec spawns), so a disconnect can stop
    // upload-pack as well as http-backend. Nobody reads git's stderr: what went wrong reaches
    // the client in the response.
    const child = spawnProcess(['git', 'http-backend'], { env: cgiEnv(req, cgi), stdin: 'pipe', stderr: 'ignore' });
    const stdin = child.stdin!;
    const stdout = child.stdout!;
    const head = new CgiHeadParser();
    let headWritten = false;
    let exited = false;
    let responseGone = false;
    let settled = false;

    const stop = (): void => {
      if (!exited && child.pid !== 0) signalGroup(child.pid, 'SIGTERM');
    };

    // Request body → git's stdin, with backpressure. EPIPE just means git stopped reading.
    let stdinOpen = true;
    stdin.on('error', () => undefined);
    stdin.on('close', () => {
      stdinOpen = false;
      req.resume();
    });
    let bodyEnded = false;
    const endBody = (): void => {
      if (bodyEnded) return;
      bodyEnded = true;
      stdin.end();
    };
    // Bounded by the caller (command-list.ts), so written without waiting for drain.
    for (const chunk of cgi.bodyHead ?? []) if (stdinOpen) stdin.write(chunk);
    req.on('data', (chunk: Buffer) => {
      if (stdinOpen && !stdin.write(chunk)) {
        req.pause();
        stdin.once('drain', () => req.resume());
      }
    });
    req.on('end', endBody);
    req.on('close', endBody);
    req.on('error', endBody);
    // A body read whole (or aborted) before git started emits no more events.
    if (req.readableEnded || req.destroyed) endBody();
    else if (cgi.bodyHead) req.resume();

    // git's stdout → CGI head → res, with backpressure.
    stdout.on('data', (chunk: Buffer) => {
      if (responseGone) return;
      let body = chunk;
      if (!headWritten) {
        let parsed;
        try {
          parsed = head.push(chunk);
        } catch {
          stop();
          return;
        }
        if (!parsed) return;
        headWritten = true;
        const headers: Record<string, string | string[]> = {};
        for (const [name, values] of parsed.head.headers) headers[name] = values.length === 1 ? values[0]! : values;
        res.writeHead(parsed.head.status, parsed.head.statusMessage, headers);
        body = parsed.rest;
      }
      if (cgi.transformBody) body = cgi.transformBody(body);
      if (body.length > 0 && !res.write(body)) {
        stdout.pause();
        res.once('drain', () => stdout.resume());
      }
    });

    res.on('close', () => {
      if (res.writableFinished) return;
      responseGone = true;
      stdout.resume();
      if (cgi.killOnDisconnect) stop();
    });

    const settle = (): void => {
      if (settled) return;
      settled = true;
      exited = true;
      if (!headWritten && !responseGone && !res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.write('git http-backend failed\n');
      }
      resolve();
    };
    void child.exited.then(() => (exited = true));
    // A failure to start shows as the 500 above; the response is all the client needs.
    void child.closed.then(settle);
  });
}
