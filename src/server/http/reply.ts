// Replies of the JSON API, and the one path from a thrown value to an error reply.
import type { ServerResponse } from 'node:http';
import { SlipwayError, isSlipwayError } from '../../core/errors.ts';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Answers a request that threw: a SlipwayError with its status and code, anything else as
 * 500 INTERNAL after logging it with its stack (`request` says which one failed). A reply
 * already under way cannot change its status, so its connection is cut instead.
 */
export function replyError(res: ServerResponse, err: unknown, request: string, log: (message: string) => void): void {
  let e: SlipwayError;
  if (isSlipwayError(err)) {
    e = err;
  } else {
    log(`error on ${request}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    e = new SlipwayError('INTERNAL', undefined, { cause: err });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.status, { error: { code: e.code, message: e.message, detail: e.detail } });
}
