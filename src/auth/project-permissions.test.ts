import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeOnProject, projectPermissions, type ProjectAction } from './permissions.ts';
import { isSlipwayError } from '../core/errors.ts';
import type { User } from '../store/repos/users.ts';

const bob: User = { id: 'usr_bob', name: 'bob', role: 'member', created_at: '2026-01-01T00:00:00.000Z' };
const roles = ['admin', 'maintainer', 'developer', 'viewer', undefined] as const;

test('the project table: maintainers (and admins) protect branches, every role lists them', () => {
  const allowed = (role: (typeof roles)[number]) => (Object.keys(projectPermissions) as ProjectAction[]).filter((a) => {
    try {
      authorizeOnProject(bob, role, a, 'hello');
      return true;
    } catch (err) {
      if (!isSlipwayError(err, 'FORBIDDEN')) throw err;
      return false;
    }
  });
  assert.deepEqual(roles.map((r) => [r, allowed(r)]), [
    ['admin', ['branches.list', 'branches.protect']],
    ['maintainer', ['branches.list', 'branches.protect']],
    ['developer', ['branches.list']],
    ['viewer', ['branches.list']],
    [undefined, []],
  ]);
});

test('a refusal names the project, the role and the missing permission', () => {
  assert.throws(() => authorizeOnProject(bob, 'developer', 'branches.protect', 'hello'), (err) => {
    assert.ok(isSlipwayError(err, 'FORBIDDEN'));
    assert.equal(err.status, 403);
    assert.equal(err.message, 'project hello: role developer may not protect or unprotect branches: missing permission branches.protect');
    assert.deepEqual(err.detail, { user: 'bob', role: 'developer', permission: 'branches.protect', project: 'hello' });
    return true;
  });
  assert.throws(() => authorizeOnProject(bob, undefined, 'branches.list', 'hello'), /^SlipwayError: project hello: bob has no role and may not list protected branches: missing permission branches.list$/);
});
