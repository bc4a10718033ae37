// The scope check as a table: each kind of token against API routes, git and the registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkScope, type ScopedAction } from './token-scope.ts';
import type { Principal, TokenScope } from './principal.ts';
import { isSlipwayError } from '../core/errors.ts';
import type { User } from '../store/repos/users.ts';

const bob: User = { id: 'usr_bob', name: 'bob', role: 'admin', created_at: '2026-01-01T00:00:00.000Z' };
const userToken = (scope: TokenScope): Principal => ({ kind: 'user', user: bob, token: { id: `tok_${scope}`, name: scope, scope } });
const jobToken: Principal = { kind: 'job', user: { ...bob, id: 'job:j', name: 'job:hello/j', role: 'member' }, job: { id: 'j', runId: 'run_1', project: 'hello', projectId: 'prj_1' } };

const actions: Record<string, ScopedAction> = {
  'list runs': { kind: 'api', method: 'GET', route: '/api/runs', params: {} },
  'cancel a run': { kind: 'api', method: 'POST', route: '/api/runs/:run/cancel', params: { run: 'run_1' } },
  'add a user': { kind: 'api', method: 'POST', route: '/api/users', params: {}, permission: 'users.create' },
  'make a token': { kind: 'api', method: 'POST', route: '/api/tokens', params: {}, permission: 'tokens.manage' },
  'own artifacts': { kind: 'api', method: 'GET', route: '/api/runs/:run/artifacts/:name', params: { run: 'run_1', name: 'dist' } },
  "another run's artifacts": { kind: 'api', method: 'GET', route: '/api/runs/:run/artifacts/:name', params: { run: 'run_2', name: 'dist' } },
  clone: { kind: 'git', project: 'hello', access: 'fetch' },
  'push code': { kind: 'git', project: 'hello', access: 'push' },
  'clone another project': { kind: 'git', project: 'other', access: 'fetch' },
  pull: { kind: 'registry', repository: 'hello/web', access: 'pull' },
  'push an image': { kind: 'registry', repository: 'hello/web', access: 'push' },
  'delete an image': { kind: 'registry', repository: 'hello/web', access: 'delete' },
  "push another project's image": { kind: 'registry', repository: 'other/web', access: 'push' },
  'pull a look-alike': { kind: 'registry', repository: 'hello-evil/web', access: 'pull' },
  'version check': { kind: 'registry', access: 'pull' },
};

const allowed = (p: Principal) => Object.keys(actions).filter((name) => {
  try {
    checkScope(p, actions[name]!);
    return true;
  } catch (err) {
    if (!isSlipwayError(err, 'FORBIDDEN')) throw err;
    return false;
  }
});

test('read reads, write also writes, admin also administers', () => {
  const reads = ['list runs', 'own artifacts', "another run's artifacts", 'clone', 'clone another project', 'pull', 'pull a look-alike', 'version check'];
  const writes = ['cancel a run', 'push code', 'push an image', 'delete an image', "push another project's image"];
  assert.deepEqual(allowed(userToken('read')).sort(), reads.sort());
  assert.deepEqual(allowed(userToken('write')).sort(), [...reads, ...writes].sort());
  assert.deepEqual(allowed(userToken('admin')).sort(), Object.keys(actions).sort());
});

test('a job token reaches its own project and run only', () => {
  assert.deepEqual(allowed(jobToken), ['own artifacts', 'clone', 'pull', 'push an image', 'version check']);
});

test('a refusal names the token, what it tried and the missing scope', () => {
  assert.throws(() => checkScope(userToken('read'), actions['cancel a run']!), (err) => {
    assert.ok(isSlipwayError(err, 'FORBIDDEN'));
    assert.equal(err.message, 'token "read" of bob (scope read) may not POST /api/runs/:run/cancel: missing scope write');
    assert.deepEqual(err.detail, { user: 'bob', token: 'read', scope: 'read', missingScope: 'write' });
    return true;
  });
  assert.throws(() => checkScope(jobToken, actions['clone another project']!), /^SlipwayError: the job token of project hello \(run run_1\) may not fetch the repository of project other: missing scope; a job token's scope is project hello only/);
});
