// Users and their tokens, for admins: GET /api/users lists them, POST /api/users creates one
// and returns its token and initial password (the only time they are shown: the store keeps
// hashes). PUT /api/users/:name/password sets a password: one's own, or an admin anyone's.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import type { User } from '../../store/repos/users.ts';
import { SlipwayError } from '../../core/errors.ts';
import { generatePassword, hashPassword, passwordLimits } from '../../auth/passwords.ts';
import { signedIn } from '../http/route.ts';

// A login-like name; an email address works too (approval.not_author then matches the commit's author email).
const userName = /^[A-Za-z0-9](?:[A-Za-z0-9._@+-]{0,98}[A-Za-z0-9])?$/;
const createUserBody = {
  schema: z.strictObject({
    name: z.string().regex(userName, 'letters, digits, ".", "_", "-", "@", "+" (1–100, starting and ending with a letter or digit)'),
    role: z.enum(['admin', 'member']).optional(),
  }),
  expected: '{"name": "<user>", "role": "admin" | "member"}',
};

const setPasswordBody = {
  schema: z.union([z.strictObject({ password: z.string().min(passwordLimits.min, `a password needs at least ${passwordLimits.min} characters`).max(passwordLimits.max, `a password has at most ${passwordLimits.max} characters`) }), z.strictObject({ generate: z.literal(true) })]),
  expected: `{"password": "<${passwordLimits.min}–${passwordLimits.max} characters>"} or {"generate": true}`,
};

const userView = (u: User) => ({ name: u.name, role: u.role, createdAt: u.created_at });

export function registerUsersApi(router: Router, deps: { store: Store }): void {
  const { store } = deps;
  router
    .route({ method: 'GET', path: '/api/users', summary: 'List users', permission: 'users.list' }, async ({ res }) => {
      sendJson(res, 200, (await store.users.list()).map(userView));
    })
    .route(
      { method: 'POST', path: '/api/users', summary: 'Add a user and return its first token, shown only this once', permission: 'users.create', audit: 'user.create', body: createUserBody },
      async ({ res, body }) => {
        if (await store.users.byName(body.name)) throw new SlipwayError('CONFLICT', `user "${body.name}" already exists`);
        const created = await store.users.create(body.name, body.role ?? 'member');
        const token = await store.users.createToken(created.id, 'users add');
        const password = generatePassword();
        await store.users.setPasswordHash(created.id, await hashPassword(password));
        sendJson(res, 201, { ...userView(created), token, password });
      },
    )
    .route(
      {
        method: 'PUT', path: '/api/users/:name/password', summary: "Set a user's password (their own, or an admin anyone's); ends the user's other sessions",
        permission: 'users.password', audit: 'password.set', params: z.object({ name: z.string().min(1) }), body: setPasswordBody,
      },
      async ({ res, user, principal, params, body }) => {
        const caller = signedIn(user);
        if (caller.role !== 'admin' && caller.name !== params.name) {
          throw new SlipwayError('FORBIDDEN', `${caller.name} may set only their own password: setting ${params.name}'s needs the instance role admin (missing permission users.password)`, {
            detail: { user: caller.name, permission: 'users.password', target: params.name },
          });
        }
        const target = await store.users.byName(params.name);
        if (!target) throw new SlipwayError('NOT_FOUND', `no user "${params.name}"`);
        const password = 'generate' in body ? generatePassword() : body.password;
        await store.users.setPasswordHash(target.id, await hashPassword(password));
        // Whoever knew the old password is signed out everywhere, except the session doing this.
        await store.sessions.deleteForUser(target.id, principal?.kind === 'user' ? principal.session?.id : undefined);
        sendJson(res, 200, { name: target.name, ...('generate' in body ? { password } : {}) });
      },
    );
}
