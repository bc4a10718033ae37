// Whether the browser reached us over https: directly (a TLS socket) or through a proxy that
// says so. Only decides the cookie's Secure flag, so a client that lies about it harms only
// its own cookie.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export function isSecureRequest(req: IncomingMessage): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  return typeof proto === 'string' && proto.split(',')[0]!.trim().toLowerCase() === 'https';
}
