// Who is calling: HTTP Basic (any user name, the token as password — what git, podman and
// skopeo send) or `Authorization: Bearer <token>`. Anything else is anonymous.
import type { IncomingHttpHeaders } from 'node:http';
import type { User } from '../store/repos/users.ts';

export function tokenFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value.trim();
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

export interface TokenLookup {
  byToken(token: string): Promise<User | undefined>;
}

export async function authenticate(headers: IncomingHttpHeaders, users: TokenLookup): Promise<User | undefined> {
  const token = tokenFromHeaders(headers);
  if (!token) return undefined;
  return users.byToken(token);
}
