// The RunnerApi over HTTP, for a remote runner (`slipway runner`): each call is one request
// to the server's /api/runner routes (src/server/routes/runner-protocol-api.ts) with the
// runner credential. Idempotent calls are retried with backoff on network errors and on a
// server that is restarting (502/503/504); log chunks are retried until acknowledged, which
// is safe because the server stores each sequence number once. A cancel arrives in a
// heartbeat's answer. Other refusals (4xx) are errors with the server's code.
// Given several servers (one installation's replicas), a call that cannot reach one moves on
// to the next, round the list, so a runner outlives any one server of several.
import { setTimeout as delay } from 'node:timers/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Annotation, RegistryAccess, RunnerApi } from './runner-api.ts';
import type { ClaimedJob } from './wire.ts';
import { errorCodes, SlipwayError, type ErrorCode } from '../../core/errors.ts';
import { ActionTreeCache, type ActionTreeAnswer } from './http-action-trees.ts';
import { sendRequest, type HttpAnswer } from './http-request.ts';

interface HttpRunnerApiOptions {
  /** The server's base URL (`http://ci.example:8080`), or several of one installation, tried in turn. */
  server: string | readonly string[];
  /** The runner credential (`slpr_…`). */
  credential: string;
  /** Tries of an idempotent call before its network error is thrown (log chunks: unbounded). */
  attempts?: number;
  /** First backoff; it doubles per try up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Ends log-chunk retries (the runner is stopping for good). */
  signal?: AbortSignal;
  /** Told to the server when connecting (POST /api/runner/hello), for `slipway runners`. */
  about?: { concurrency: number; version: string };
  /** The state an admin set (`active`, `paused`, `draining`), as the hello and each empty claim answer it. */
  onState?: (state: string) => void;
  /** The server refused the credential (401: the runner was removed or its credential revoked). */
  onRefused?: (err: SlipwayError) => void;
  /** Remote actions' trees by SHA (the runner's DIR/actions); a temp dir of this process when absent. */
  actionTrees?: ActionTreeCache;
}

/** How long one claim long-poll is held open (the server caps it at its own maximum). */
const claimWaitMs = 25_000;

interface Call {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  json?: unknown;
  /** A streamed request body (not retried: a stream is read once). */
  stream?: NodeJS.ReadableStream;
  /** Safe to send again: retried on network errors. `forever`: until acknowledged. */
  retry?: 'no' | 'yes' | 'forever';
  signal?: AbortSignal;
}

/** A network error or a server that is restarting: worth trying again. */
const retriable = (status: number) => status === 502 || status === 503 || status === 504;

async function refusal(res: HttpAnswer, call: Call): Promise<SlipwayError> {
  const text = await res.text();
  let body: { error?: { code?: string; message?: string } } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  const code = body.error?.code && body.error.code in errorCodes ? (body.error.code as ErrorCode) : 'INTERNAL';
  return new SlipwayError(code, `${call.method} ${call.path}: ${res.status} ${body.error?.message ?? text.slice(0, 500)}`);
}

/** Connects to the server (reading where its registry is) and returns the runner's RunnerApi. */
export async function connectHttpRunnerApi(o: HttpRunnerApiOptions): Promise<RunnerApi> {
  const bases = (typeof o.server === 'string' ? [o.server] : o.server).map((s) => s.replace(/\/+$/, ''));
  if (bases.length === 0) throw new SlipwayError('BAD_REQUEST', 'no server to connect to');
  // The server calls go to; one that cannot be reached hands over to the next (and the last to the first).
  let current = 0;
  const moveOn = (from: number) => {
    if (current === from) current = (from + 1) % bases.length;
  };
  const attempts = o.attempts ?? 5;
  const backoff = (n: number) => Math.min(o.maxBackoffMs ?? 5000, (o.backoffMs ?? 100) * 2 ** n);
  const cancelListeners = new Map<string, Set<() => void>>();
  // The server's count of 'jobs-available' this runner last heard: a wait sent with an older one answers at once.
  let generation: number | undefined;
  // The job tokens of the claims this runner holds: a server restarted since a claim no longer knows them (it keeps hashes).
  const jobTokens = new Map<string, string>();

  async function send(call: Call): Promise<HttpAnswer> {
    const headers: Record<string, string> = { authorization: `Bearer ${o.credential}` };
    let body: string | NodeJS.ReadableStream | undefined;
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.stream) {
      headers['content-type'] = 'application/gzip';
      body = call.stream;
    }
    const tries = call.retry === 'forever' ? Infinity : call.retry === 'yes' ? attempts : 1;
    for (let n = 0; ; n++) {
      let failure: unknown;
      const at = current;
      try {
        const res = await sendRequest(`${bases[at]}${call.path}`, { method: call.method, headers, ...(body === undefined ? {} : { body }), ...(call.signal ? { signal: call.signal } : {}) });
        if (!retriable(res.status) || n + 1 >= tries) {
          if (res.status >= 200 && res.status < 300) return res;
          const refused = await refusal(res, call);
          if (res.status === 401) o.onRefused?.(refused);
          if (retriable(res.status)) moveOn(at);
          throw refused;
        }
        moveOn(at);
        await res.discard();
        failure = new Error(`${res.status}`);
      } catch (err) {
        if (err instanceof SlipwayError || call.signal?.aborted) throw err;
        failure = err;
        moveOn(at);
      }
      if (n + 1 >= tries || o.signal?.aborted) throw new Error(`${call.method} ${call.path}: ${(failure as Error).message} (after ${n + 1} tries)`, { cause: failure });
      await delay(backoff(n), undefined, o.signal ? { signal: o.signal } : {});
    }
  }
  const json = async <T>(call: Call): Promise<T> => (await send(call)).json<T>();
  /** A call whose answer has no body worth reading: read off anyway, so its connection serves the next call. */
  const deliver = async (call: Call): Promise<void> => (await send(call)).discard();
  const job = (id: string, path = '') => `/api/runner/jobs/${encodeURIComponent(id)}${path}`;
  const stream = (res: HttpAnswer): NodeJS.ReadableStream => res.body;

  let actionsDir: string | undefined;
  const actionTrees = o.actionTrees ?? new ActionTreeCache(async () => (actionsDir ??= await mkdtemp(join(tmpdir(), 'slipway-runner-actions-'))));

  const registry = await json<RegistryAccess>({ method: 'GET', path: '/api/runner/registry', retry: 'yes' });
  if (o.about) o.onState?.((await json<{ state: string }>({ method: 'POST', path: '/api/runner/hello', json: o.about, retry: 'yes' })).state);

  /** A claim's answer (the claim route's, or a completion's that claimed the next job). */
  const claimed = (answer: { job: ClaimedJob | null; generation: number; state?: string }): ClaimedJob | undefined => {
    generation = answer.generation;
    if (answer.state) o.onState?.(answer.state);
    if (answer.job) jobTokens.set(answer.job.id, answer.job.token);
    return answer.job ?? undefined;
  };

  return {
    async claim(labels) {
      // Not retried: a claim whose answer was lost holds a job nobody runs until its lease runs out.
      return claimed(await json({ method: 'POST', path: '/api/runner/claim', json: { labels, waitMs: 0 } }));
    },
    async waitForWork(timeoutMs, signal) {
      try {
        const answer = await json<{ generation: number }>({ method: 'POST', path: '/api/runner/wait', json: { timeoutMs: Math.min(timeoutMs, claimWaitMs), generation }, signal });
        generation = answer.generation;
      } catch (err) {
        if (signal.aborted) return;
        // The server is away: wait out the timeout (bounded) before the runner asks again, not in a tight loop.
        await delay(Math.min(timeoutMs, 1000), undefined, { signal }).catch((e: Error) => {
          if (e.name !== 'AbortError') throw e;
        });
        throw err;
      }
    },
    async heartbeat(jobId) {
      const answer = await json<{ lease: boolean; cancel: boolean }>({ method: 'POST', path: job(jobId, '/heartbeat'), retry: 'yes' });
      if (answer.cancel) for (const listener of cancelListeners.get(jobId) ?? []) listener();
      return answer.lease;
    },
    async nextLogSeq(jobId) {
      return (await json<{ next: number }>({ method: 'GET', path: job(jobId, '/log-seq'), retry: 'yes' })).next;
    },
    async appendLog(jobId, seq, text) {
      await deliver({ method: 'POST', path: job(jobId, '/logs'), json: { seq, text }, retry: 'forever' });
    },
    async startStep(jobId, number, name, log) {
      // Safe to retry: the server answers a step number it has with that step, and stores a log chunk once per sequence number.
      return (await json<{ id: string }>({ method: 'POST', path: job(jobId, '/steps'), json: { number, name, ...(log ? { log } : {}) }, retry: 'yes' })).id;
    },
    async finishStep(stepId, status, exitCode) {
      await deliver({ method: 'POST', path: `/api/runner/steps/${encodeURIComponent(stepId)}/finish`, json: { status, exitCode }, retry: 'yes' });
    },
    async skipStep(jobId, number, name) {
      await deliver({ method: 'POST', path: job(jobId, '/skipped-steps'), json: { number, name }, retry: 'yes' });
    },
    async completeJob(jobId, status, outputs, error, extras) {
      cancelListeners.delete(jobId);
      actionTrees.release(jobId);
      jobTokens.delete(jobId);
      // The log's last chunk travels with the result either way: stored once per sequence number, so retries are safe.
      const result = { status, outputs, ...(error === undefined ? {} : { error }), ...(extras?.log ? { log: extras.log } : {}) };
      const next = extras?.next;
      if (next) {
        // Sent once, like a claim (a claim whose answer was lost holds a job nobody runs until
        // its lease runs out). Any failure falls back to the plain completion below, retried
        // as ever and final either way: it reports the refusal (LEASE_LOST) if there is one.
        try {
          return claimed((await json<{ next: { job: ClaimedJob | null; generation: number; state?: string } }>({ method: 'POST', path: job(jobId, '/complete'), json: { ...result, next: { labels: next.labels } } })).next);
        } catch (err) {
          if (o.signal?.aborted) throw err; // the runner is stopping: no second try
        }
      }
      await deliver({ method: 'POST', path: job(jobId, '/complete'), json: result, retry: 'yes' });
      return undefined;
    },
    recordRelease: (jobId, release) => json<{ id: string }>({ method: 'POST', path: job(jobId, '/releases'), json: release }),
    async source(jobId) {
      const answer = await json<{ url: string; authorization?: string }>({ method: 'GET', path: job(jobId, '/source'), retry: 'yes' });
      const token = jobTokens.get(jobId);
      if (answer.authorization || !token || !/^https?:/.test(answer.url)) return answer;
      // Fetched with the job's own token, which this runner holds even when the server (restarted) does not.
      return { ...answer, authorization: `Basic ${Buffer.from(`job:${token}`).toString('base64')}` };
    },
    registry: () => registry,
    async addAnnotation(jobId, annotation: Annotation) {
      await deliver({ method: 'POST', path: job(jobId, '/annotations'), json: annotation });
    },
    async setStepSummary(jobId, stepNumber, markdown) {
      await deliver({ method: 'PUT', path: job(jobId, `/summaries/${stepNumber}`), json: { markdown }, retry: 'yes' });
    },
    uploadArtifact: (jobId, name, archive) => json<{ size: number }>({ method: 'PUT', path: job(jobId, `/artifacts/${encodeURIComponent(name)}`), stream: archive }),
    listArtifacts: (jobId) => json<{ name: string; size: number }[]>({ method: 'GET', path: job(jobId, '/artifacts'), retry: 'yes' }),
    async downloadArtifact(jobId, name) {
      try {
        return stream(await send({ method: 'GET', path: job(jobId, `/artifacts/${encodeURIComponent(name)}`), retry: 'yes' }));
      } catch (err) {
        if (err instanceof SlipwayError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      }
    },
    async restoreCache(jobId, keys) {
      const res = await send({ method: 'POST', path: job(jobId, '/caches/restore'), json: { keys }, retry: 'yes' });
      if (res.status === 204) return void (await res.discard());
      return { key: decodeURIComponent(String(res.headers['x-slipway-cache-key'] ?? '')), archive: stream(res) };
    },
    async saveCache(jobId, key, archive) {
      await deliver({ method: 'PUT', path: job(jobId, `/caches?key=${encodeURIComponent(key)}`), stream: archive });
    },
    async resolveAction(jobId, uses) {
      // The server resolves with the run's rights; the tree comes by SHA unless this runner has it.
      const answer = await json<ActionTreeAnswer>({ method: 'POST', path: job(jobId, '/actions/resolve'), json: { uses }, retry: 'yes' });
      const got = await actionTrees.tree(jobId, answer, async () => stream(await send({ method: 'GET', path: job(jobId, `/actions/${answer.sha}`), retry: 'yes' })));
      return { sha: answer.sha, source: answer.source, ...got };
    },
    onCancel(jobId, listener) {
      const listeners = cancelListeners.get(jobId) ?? new Set();
      listeners.add(listener);
      cancelListeners.set(jobId, listeners);
      return () => listeners.delete(listener);
    },
  };
}
