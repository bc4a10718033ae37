// Who is asking, for routes that record the user or allow an action by role. The front door
// (app.ts) has already refused anonymous requests; this reads the same token again.
import type { IncomingMessage } from 'node:http';
import { authenticate, type TokenLookup } from '../../auth/authenticate.ts';
import type { User } from '../../store/repos/users.ts';
import { SlipwayError } from '../../core/errors.ts';

export async function requestUser(req: IncomingMessage, users: TokenLookup): Promise<User> {
  const user = await authenticate(req.headers, users);
  if (!user) throw new SlipwayError('UNAUTHORIZED');
  return user;
}

/** FORBIDDEN unless the user is an admin; `action` completes "only an admin may …". */
export function requireAdmin(user: User, action: string): void {
  if (user.role !== 'admin') throw new SlipwayError('FORBIDDEN', `only an admin may ${action} (${user.name} has role ${user.role})`);
}
