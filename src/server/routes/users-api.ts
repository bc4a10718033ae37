// Users and their tokens, for admins: GET /api/users lists them, POST /api/users creates one
// and returns its token (the only time it is shown: the store keeps a hash).
import { z } from 'zod';
import type { Router } from '../http.ts';
import { readBody, sendJson } from '../http.ts';
import type { Store } from '../../store/store.ts';
import type { User } from '../../store/repos/users.ts';
import { SlipwayError } from '../../core/errors.ts';
import { requestUser, requireAdmin } from './request-user.ts';

// A login-like name; an email address works too (approval.not_author then matches the commit's author email).
const userName = /^[A-Za-z0-9](?:[A-Za-z0-9._@+-]{0,98}[A-Za-z0-9])?$/;
const createUserBody = z.strictObject({
  name: z.string().regex(userName, 'letters, digits, ".", "_", "-", "@", "+" (1–100, starting and ending with a letter or digit)'),
  role: z.enum(['admin', 'member']).optional(),
});

const userView = (u: User) => ({ name: u.name, role: u.role, createdAt: u.created_at });

export function registerUsersApi(router: Router, deps: { store: Store }): void {
  const { store } = deps;
  router
    .on('GET', '/api/users', async ({ req, res }) => {
      requireAdmin(await requestUser(req, store.users), 'list users');
      sendJson(res, 200, (await store.users.list()).map(userView));
    })
    .on('POST', '/api/users', async ({ req, res }) => {
      requireAdmin(await requestUser(req, store.users), 'add users');
      const body = await readBody(req, createUserBody, '{"name": "<user>", "role": "admin" | "member"}');
      if (await store.users.byName(body.name)) throw new SlipwayError('CONFLICT', `user "${body.name}" already exists`);
      const user = await store.users.create(body.name, body.role ?? 'member');
      const token = await store.users.createToken(user.id, 'users add');
      sendJson(res, 201, { ...userView(user), token });
    });
}
