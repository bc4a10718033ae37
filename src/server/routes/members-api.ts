// A project's settings and members: who holds which role (maintainer, developer, viewer),
// and whether anonymous callers may read it. Only maintainers (and admins) change either;
// a project keeps at least one maintainer.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import type { Access } from '../../auth/access.ts';
import { projectRoles } from '../../auth/roles.ts';
import { SlipwayError } from '../../core/errors.ts';
import type { Member } from '../../store/repos/members.ts';
import { projectName } from './fields.ts';

const projectParams = z.object({ project: projectName });
const memberParams = projectParams.extend({ user: z.string().describe('user name') });
const roleBody = { schema: z.strictObject({ role: z.enum(projectRoles) }), expected: '{"role": "maintainer" | "developer" | "viewer"}' };
const visibilityBody = { schema: z.strictObject({ public: z.boolean() }), expected: '{"public": true | false}' };

const memberView = (m: Member) => ({ user: m.userName, role: m.role, createdAt: m.createdAt, updatedAt: m.updatedAt });

export function registerMembersApi(router: Router, deps: { store: Store; access: Access }): void {
  const { store, access } = deps;
  const userNamed = async (name: string) => {
    const u = await store.users.byName(name);
    if (!u) throw new SlipwayError('NOT_FOUND', `no user named "${name}" (an admin adds users: slipway users add ${name})`);
    return u;
  };
  router
    .route({ method: 'GET', path: '/api/projects/:project', summary: 'A project: whether it is public, and the caller\'s role in it', permission: 'project.read', params: projectParams }, async ({ res, params, user }) => {
      const p = await store.projects.require(params.project);
      sendJson(res, 200, { name: p.name, public: p.public === 1, role: (await access.roleIn(user, p)) ?? null, createdAt: p.created_at });
    })
    .route(
      { method: 'PUT', path: '/api/projects/:project/visibility', summary: 'Make a project public (anonymous clone, image pull, read of runs and releases) or private', permission: 'project.settings', audit: 'project.visibility', params: projectParams, body: visibilityBody },
      async ({ res, params, body }) => {
        const p = await store.projects.require(params.project);
        await store.projects.setPublic(p.id, body.public);
        sendJson(res, 200, { name: p.name, public: body.public });
      },
    )
    .route({ method: 'GET', path: '/api/projects/:project/members', summary: "A project's members and their roles", permission: 'members.read', params: projectParams }, async ({ res, params }) => {
      const p = await store.projects.require(params.project);
      sendJson(res, 200, (await store.members.list(p.id)).map(memberView));
    })
    .route(
      { method: 'PUT', path: '/api/projects/:project/members/:user', summary: 'Give a user a role in the project (added: 201, changed: 200)', permission: 'members.write', audit: 'member.add', params: memberParams, body: roleBody },
      async ({ res, params, body }) => {
        const p = await store.projects.require(params.project);
        const u = await userNamed(params.user);
        const before = await store.members.set(p.id, u.id, body.role, p.name);
        sendJson(res, before ? 200 : 201, { user: u.name, role: body.role, previous: before ?? null });
      },
    )
    .route(
      { method: 'DELETE', path: '/api/projects/:project/members/:user', summary: 'Remove a member from the project (the last maintainer stays)', permission: 'members.write', audit: 'member.remove', params: memberParams },
      async ({ res, params }) => {
        const p = await store.projects.require(params.project);
        const u = await userNamed(params.user);
        if (!(await store.members.remove(p.id, u.id, p.name))) throw new SlipwayError('NOT_FOUND', `${u.name} is not a member of project ${p.name}`);
        sendJson(res, 200, { user: u.name, removed: true });
      },
    );
}
