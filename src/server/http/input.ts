// Request input parsed at the edge into typed values: path parameters, the query string and
// a bounded JSON body, each through its route's zod schema. Every mismatch is a 400 that
// names the field; nothing a client sends reaches a handler unchecked.
import type { IncomingMessage } from 'node:http';
import type { ZodType, core } from 'zod';
import { SlipwayError } from '../../core/errors.ts';

const issuesText = (issues: core.$ZodIssue[], whole: string) => issues.map((i) => `${i.path.join('.') || whole}: ${i.message}`).join('; ');
/** `query parameter "limit": …`, one per issue; an issue about the whole object has no name. */
const fieldIssues = (issues: core.$ZodIssue[], kind: string) => issues.map((i) => (i.path.length ? `${kind} "${i.path.join('.')}": ${i.message}` : `${kind}s: ${i.message}`)).join('; ');

export function parseParams<T>(schema: ZodType<T>, raw: Record<string, string | undefined>): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw new SlipwayError('BAD_REQUEST', fieldIssues(r.error.issues, 'path parameter'));
  return r.data;
}

/** A repeated key counts once, with its first value (as URLSearchParams.get reads it). */
export function parseQuery<T>(schema: ZodType<T>, search: URLSearchParams): T {
  // No prototype: `?constructor=x` or `?__proto__=x` are keys like any other.
  const raw: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of search) if (!(k in raw)) raw[k] = v;
  const r = schema.safeParse(raw);
  if (!r.success) throw new SlipwayError('BAD_REQUEST', fieldIssues(r.error.issues, 'query parameter'));
  return r.data;
}

/** Reads a JSON body of bounded size; an empty body reads as `{}`. */
async function readJson(req: IncomingMessage, limit = 1 << 20): Promise<unknown> {
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

/**
 * A body must say it is JSON: a browser's form or `text/plain` post (which needs no CORS
 * preflight) is refused before it is read. A request without a body needs no type.
 */
function checkJsonType(req: IncomingMessage): void {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) return;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new SlipwayError('UNSUPPORTED_MEDIA_TYPE', `request body must be JSON with Content-Type: application/json${type ? `, not ${type}` : ' (none was sent)'}`);
  }
}

/** `expected` shows the body's shape in the message, e.g. `{"name": "<project>"}`. */
export async function readBody<T>(req: IncomingMessage, schema: ZodType<T>, expected: string): Promise<T> {
  checkJsonType(req);
  const r = schema.safeParse(await readJson(req));
  if (!r.success) throw new SlipwayError('BAD_REQUEST', `expected ${expected}: ${issuesText(r.error.issues, 'body')}`);
  return r.data;
}
