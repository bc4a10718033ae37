// Users and their tokens, for admins: GET /api/users lists them, POST /api/users creates one
// and returns its token (the only time it is shown: the store keeps a hash).
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import type { User } from '../../store/repos/users.ts';
import { SlipwayError } from '../../core/errors.ts';

// A login-like name; an email address works too (approval.not_author then matches the commit's author email).
const userName = /^[A-Za-z0-9](?:[A-Za-z0-9._@+-]{0,98}[A-Za-z0-9])?$/;
const createUserBody = {
  schema: z.strictObject({
    name: z.string().regex(userName, 'letters, digits, ".", "_", "-", "@", "+" (1–100, starting and ending with a letter or digit)'),
    role: z.enum(['admin', 'member']).optional(),
  }),
  expected: '{"name": "<user>", "role": "admin" | "member"}',
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
        sendJson(res, 201, { ...userView(created), token });
      },
    );
}
