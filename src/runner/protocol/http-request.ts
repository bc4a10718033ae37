// One request of the runner protocol, on node:http(s) with keep-alive agents. Not fetch:
// a runner makes three or four small JSON calls a job, and fetch (undici, WHATWG streams)
// cost ~300 µs of CPU each on the runner against ~40 µs for node:http (`node
// bench/runner-http.ts`), about a millisecond of every job's CPU on a busy runner machine.
// Bodies stay Node streams end to end: a download is the response itself, an upload is
// piped into the request.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The response body, to read once: `text()`, `json()`, or as a stream. */
  body: IncomingMessage;
  text(): Promise<string>;
  json<T>(): Promise<T>;
  /** Reads the body to its end and drops it, so the connection can serve the next call. */
  discard(): Promise<void>;
}

interface HttpCall {
  method: string;
  headers: Record<string, string>;
  body?: string | NodeJS.ReadableStream;
  signal?: AbortSignal;
}

/**
 * A connection idle this long without an answer is given up (undici's default headers and
 * body timeouts, which fetch had). The runner's long-poll is held ~25 s at most.
 */
const idleTimeoutMs = 300_000;

// Free sockets are unref'd by the agents: they never keep a finished runner's process alive.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** Sends one request; resolves with the answer once its status and headers arrived. */
export function sendRequest(url: string, call: HttpCall): Promise<HttpAnswer> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:') return Promise.reject(new Error(`${url}: not an http(s) URL`));
  const headers = { ...call.headers, ...(typeof call.body === 'string' ? { 'content-length': String(Buffer.byteLength(call.body)) } : {}) };
  return new Promise((resolve, reject) => {
    const send = secure ? httpsRequest : httpRequest;
    let answered = false;
    const req = send(target, { method: call.method, headers, agent: secure ? agents.https : agents.http, ...(call.signal ? { signal: call.signal } : {}) }, (res) => {
      answered = true;
      resolve(answer(res));
    });
    req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`no answer in ${idleTimeoutMs / 1000} s`)));
    req.on('error', reject);
    if (call.body === undefined || typeof call.body === 'string') req.end(call.body);
    // A failed upload destroys the request, which rejects through 'error' above; once the
    // server has answered (a refusal before the body's end: too large, not allowed) the
    // answer stands and is read, whatever became of the rest of the upload.
    else
      pipeline(call.body, req).catch((err: Error) => {
        if (!answered) req.destroy(err);
      });
  });
}

function answer(res: IncomingMessage): HttpAnswer {
  const text = async () => {
    res.setEncoding('utf8');
    let all = '';
    for await (const chunk of res) all += chunk as string;
    return all;
  };
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body: res,
    text,
    json: async <T>() => JSON.parse(await text()) as T,
    discard: async () => {
      res.resume();
      if (!res.complete) await new Promise<void>((resolve) => res.once('end', resolve).once('close', resolve));
    },
  };
}
