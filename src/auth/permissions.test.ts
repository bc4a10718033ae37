import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, permissions, projectActionsOf, type Action, type Scope } from './permissions.ts';
import { isSlipwayError } from '../core/errors.ts';
import type { User } from '../store/repos/users.ts';

const user = (name: string, role: User['role']): User => ({ id: `usr_${name}`, name, role, created_at: '2026-01-01T00:00:00.000Z' });
const admin = user('alice', 'admin');
const member = user('bob', 'member');

const allowed = (u: User | undefined, scope: Scope = {}) => (Object.keys(permissions) as Action[]).filter((a) => {
  try {
    authorize(u, a, scope);
    return true;
  } catch (err) {
    if (!isSlipwayError(err, 'FORBIDDEN') && !isSlipwayError(err, 'UNAUTHORIZED')) throw err;
    return false;
  }
});

test('instance: admins may do everything; a member without a project role only lists, creates projects, reads host keys and resolves actions', () => {
  assert.deepEqual(allowed(admin), Object.keys(permissions));
  assert.deepEqual(allowed(member), ['projects.list', 'session.create', 'events.read', 'users.password', 'hosts.read', 'projects.create', 'deploy.approve', 'tokens.manage', 'actions.resolve']);
  assert.deepEqual(allowed(member, { project: 'shop' }), ['projects.list', 'session.create', 'events.read', 'users.password', 'hosts.read', 'projects.create', 'deploy.approve', 'tokens.manage', 'actions.resolve']);
  assert.deepEqual(allowed(undefined), ['projects.list', 'session.create', 'events.read']);
});

test('project roles: each carries what the ones below it carry; public projects open reads, never writes', () => {
  const viewer = ['project.read', 'runs.read', 'releases.read', 'git.read', 'images.pull', 'deployments.read', 'members.read'];
  const developer = [...viewer, 'git.push', 'images.push', 'images.delete', 'runs.control', 'runs.dispatch', 'deploy.run', 'deployments.approve', 'secrets.list'];
  const maintainer = [...developer, 'deploy.protected', 'secrets.write', 'members.write', 'project.settings', 'protection.write', 'environments.protect'];
  assert.deepEqual(projectActionsOf('viewer'), viewer);
  assert.deepEqual(projectActionsOf('developer'), developer);
  assert.deepEqual(projectActionsOf('maintainer'), maintainer);
  assert.deepEqual(projectActionsOf('public'), ['project.read', 'runs.read', 'releases.read', 'git.read', 'images.pull']);
  for (const role of ['viewer', 'developer', 'maintainer'] as const) {
    const got = allowed(member, { project: 'shop', role }).filter((a) => 'project' in permissions[a]);
    assert.deepEqual(got, projectActionsOf(role), role);
  }
  assert.deepEqual(allowed(undefined, { project: 'shop', public: true }), ['projects.list', 'session.create', 'events.read', ...projectActionsOf('public')]);
  assert.deepEqual(allowed(member, { project: 'shop', public: true }).filter((a) => 'project' in permissions[a]), projectActionsOf('public'));
  // Every public action is a read: anonymous callers never write.
  for (const a of projectActionsOf('public')) assert.equal(permissions[a].level, 'read', a);
});

test('a project refusal names the project, the role there and the missing permission', () => {
  assert.throws(() => authorize(member, 'secrets.write', { project: 'hello', role: 'developer', environment: 'production' }), (err) => {
    assert.ok(isSlipwayError(err, 'FORBIDDEN'));
    assert.equal(err.status, 403);
    assert.equal(err.message, 'project hello: role developer may not set secrets of environment production (missing permission secrets.write; needs role maintainer)');
    assert.deepEqual(err.detail, { user: 'bob', project: 'hello', role: 'developer', permission: 'secrets.write', needs: 'maintainer' });
    return true;
  });
  assert.throws(() => authorize(member, 'runs.read', { project: 'hello' }), /^SlipwayError: project hello: bob has no role and may not read runs, logs and their outputs \(missing permission runs.read; needs role viewer\)$/);
});

test('anonymous callers are asked to authenticate (401), naming why', () => {
  assert.throws(() => authorize(undefined, 'runs.read', { project: 'hello' }), (err) => {
    assert.ok(isSlipwayError(err, 'UNAUTHORIZED'));
    assert.match(err.message, /^authentication required: project hello is not public; to read runs/);
    return true;
  });
  assert.throws(() => authorize(undefined, 'git.push', { project: 'hello', public: true }), /authentication required: anonymous callers may only read public projects; to push to the repository, send a token \(missing permission git.push on project hello\)/);
  assert.throws(() => authorize(undefined, 'users.list'), (err) => isSlipwayError(err, 'UNAUTHORIZED'));
});

test('instance refusals keep naming the user, their role and the permission', () => {
  assert.throws(() => authorize(member, 'users.list'), (err) => {
    assert.ok(isSlipwayError(err, 'FORBIDDEN'));
    assert.equal(err.message, 'only an admin may list users (bob has role member): missing permission users.list');
    assert.deepEqual(err.detail, { user: 'bob', role: 'member', permission: 'users.list' });
    return true;
  });
  assert.throws(() => authorize(member, 'deploy.force', { project: 'shop' }), (err) => {
    assert.ok(isSlipwayError(err, 'FORBIDDEN'));
    assert.equal(err.message, 'only an admin may force a rollback past the approval gate (bob has role member): missing permission deploy.force on project shop; roll back without force and get it approved');
    assert.deepEqual(err.detail, { user: 'bob', role: 'member', permission: 'deploy.force', project: 'shop' });
    return true;
  });
});

test('projects.create: everyone by default; only admins when config.yml says admins', () => {
  authorize(member, 'projects.create', { projectsCreate: 'everyone' });
  authorize(admin, 'projects.create', { projectsCreate: 'admins' });
  assert.throws(() => authorize(member, 'projects.create', { projectsCreate: 'admins' }), /missing permission projects.create/);
});

test('a role outside an instance action\'s list is refused even where most roles are allowed', () => {
  const odd = { ...member, name: 'vic', role: 'viewer' } as unknown as User;
  assert.throws(() => authorize(odd, 'deploy.approve'), /only an admin or a member may approve or reject a deployment or a gated job \(vic has role viewer\): missing permission deploy.approve/);
});
