// A request body read whole as bytes, bounded: for handlers that must see exactly what was
// sent (a forge's webhook is signed over its raw bytes). Past the limit: PAYLOAD_TOO_LARGE,
// decided from Content-Length before anything is read when the client sent one.
import type { IncomingMessage } from 'node:http';
import { SlipwayError } from '../../core/errors.ts';

export async function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new SlipwayError('PAYLOAD_TOO_LARGE', `request body larger than ${limit} bytes`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
