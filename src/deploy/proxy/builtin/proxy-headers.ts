// Header handling for the reverse proxy: drop hop-by-hop fields, add X-Forwarded-*.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';

// RFC 9110 §7.6.1: fields meant for one connection only, plus those named in Connection.
// `expect` is dropped because this proxy already answered `100-continue` to the client.
const hopByHop = ['connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect'];

export function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = String(headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim());
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !hopByHop.includes(name) && !listed.includes(name)) out[name] = value;
  }
  return out;
}

/**
 * Request headers for the upstream: the client's (Host kept, so apps see their public name)
 * plus X-Forwarded-For/Proto/Host. Incoming X-Forwarded-* are only kept when the proxy
 * sits behind a trusted load balancer; otherwise a client could spoof its address.
 */
export function upstreamRequestHeaders(req: IncomingMessage, trustForwarded: boolean): OutgoingHttpHeaders {
  const headers = withoutHopByHop(req.headers);
  const client = req.socket.remoteAddress ?? '';
  const prior = trustForwarded ? req.headers['x-forwarded-for'] : undefined;
  headers['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  const proto = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  headers['x-forwarded-proto'] = (trustForwarded && req.headers['x-forwarded-proto']) || proto;
  const host = (trustForwarded && req.headers['x-forwarded-host']) || req.headers.host;
  if (host) headers['x-forwarded-host'] = host;
  else delete headers['x-forwarded-host'];
  return headers;
}
