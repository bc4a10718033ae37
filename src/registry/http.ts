// Response helpers for the distribution API (distribution-spec §Error codes: errors are
// `{"errors":[{"code","message","detail"}]}`; HEAD responses carry no body).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSlipwayError, SlipwayError } from '../core/errors.ts';

export type Headers = Record<string, string | number>;

export function sendEmpty(res: ServerResponse, status: number, headers: Headers = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': 0 });
  res.end();
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers, 'Content-Length': bytes.length });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

/** Answers with the spec's error body. `status` overrides the code's own (e.g. 416). */
export function sendError(req: IncomingMessage, res: ServerResponse, err: unknown, status?: number): void {
  const e = isSlipwayError(err) ? err : new SlipwayError('INTERNAL', undefined, { cause: err });
  if (res.headersSent) {
    res.destroy(); // mid-body: the client must see a broken transfer, not a short blob
    return;
  }
  const detail = e.detail ?? null;
  sendJson(req, res, status ?? e.status, { errors: [{ code: e.code, message: e.message, detail }] });
}

/** Whether the request carries a body worth reading (a PUT that closes an upload may not). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** Reads a small body (manifests), failing with SIZE_INVALID past `limit` bytes. */
export async function readSmallBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    throw new SlipwayError('SIZE_INVALID', `body larger than ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new SlipwayError('SIZE_INVALID', `body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
