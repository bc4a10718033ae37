// Minimal HTTP plumbing over node:http: a method+path router with `:params`, JSON replies,
// and one place that turns errors into replies. Node's own server is enough here: the
// registry and git routes stream bodies and would bypass a framework anyway.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ZodType } from 'zod';
import { SlipwayError, isSlipwayError } from '../core/errors.ts';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  readonly #routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.#routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** Returns false when no route matches the path (the caller answers 404). */
  async dispatch(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const parts = url.pathname.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.#routes) {
      const params = match(route.parts, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== req.method && !(route.method === 'GET' && req.method === 'HEAD')) continue;
      await route.handler({ req, res, url, params });
      return true;
    }
    if (pathMatched) throw new SlipwayError('UNSUPPORTED', `method ${req.method} not allowed on ${url.pathname}`);
    return false;
  }
}

function match(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const v = parts[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(v);
    else if (p !== v) return undefined;
  }
  return params;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const e = isSlipwayError(err) ? err : new SlipwayError('INTERNAL', undefined, { cause: err });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.status, { error: { code: e.code, message: e.message, detail: e.detail } });
}

/** Reads a JSON body of bounded size; a bad body is a 400 that says what was wrong. */
export async function readJson(req: IncomingMessage, limit = 1 << 20): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new SlipwayError('BAD_REQUEST', `request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new SlipwayError('BAD_REQUEST', `request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads a JSON body and parses it at the edge; a mismatch is a 400 naming each bad field. */
export async function readBody<T>(req: IncomingMessage, schema: ZodType<T>, expected: string): Promise<T> {
  const r = schema.safeParse(await readJson(req));
  if (!r.success) throw new SlipwayError('BAD_REQUEST', `expected ${expected}: ${r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  return r.data;
}
