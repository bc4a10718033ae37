import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeroSha } from '../core/types.ts';
import { parseHookInput, refusals } from './pre-receive-check.ts';
import { policyEnv, policyEnvName, pushPolicy, type PushPolicy } from './push-policy.ts';
import type { BranchRule } from '../store/repos/protected-branches.ts';

const a = 'a'.repeat(40);
const b = 'b'.repeat(40);
const rule = (pattern: string, over: Partial<BranchRule> = {}): BranchRule => ({ pattern, pushRoles: ['maintainer'], allowForcePush: false, createdBy: 't', createdAt: 't', ...over });
const exact = (branch: string, pattern: string) => branch === pattern;
const never = { isAncestor: () => Promise.reject(new Error('ancestry was not needed')), current: () => Promise.reject(new Error('the ref was not needed')) };
const repo = (ancestor: boolean, now: string | undefined) => ({ isAncestor: async (before: string) => (assert.equal(before, now), ancestor), current: async () => now });

test('the hook reads git\'s update lines', () => {
  assert.deepEqual(parseHookInput(`${a} ${b} refs/heads/main\n${b} ${zeroSha} refs/tags/v1\n`), [
    { before: a, after: b, ref: 'refs/heads/main' },
    { before: b, after: zeroSha, ref: 'refs/tags/v1' },
  ]);
});

test('without a policy, or with refs the server did not check, the push is refused', async () => {
  const updates = [{ before: a, after: b, ref: 'refs/heads/feature' }];
  assert.deepEqual(await refusals(undefined, updates, never), ['push refused: Slipway did not pass this push a branch protection policy']);
  const policy = pushPolicy({ project: 'p', role: 'admin', rules: [], commands: updates, matches: exact });
  assert.deepEqual(await refusals(policy, updates, never), []);
  const sneaked = [...updates, { before: a, after: zeroSha, ref: 'refs/heads/main' }];
  assert.deepEqual(await refusals(policy, sneaked, never), ['push refused: the updated refs differ from the ones Slipway checked; push again']);
});

test('the most restrictive matching rule wins, and names itself', async () => {
  const updates = [{ before: a, after: b, ref: 'refs/heads/release/1' }];
  const rules = [rule('release/*', { pushRoles: ['maintainer', 'developer'], allowForcePush: true }), rule('release/1')];
  const matches = (branch: string, pattern: string) => pattern === 'release/*' ? branch.startsWith('release/') : branch === pattern;
  const dev = pushPolicy({ project: 'p', role: 'developer', rules, commands: updates, matches });
  assert.deepEqual(await refusals(dev, updates, never), ['refs/heads/release/1 is protected in project p: only maintainers may push (you are developer) (rule "release/1")']);
  const maint = pushPolicy({ project: 'p', role: 'maintainer', rules, commands: updates, matches });
  assert.deepEqual(await refusals(maint, updates, repo(false, a)), ['refs/heads/release/1 is protected in project p: force-push is not allowed (rule "release/1")']);
  assert.deepEqual(await refusals(maint, updates, repo(true, a)), []);
});

test('a force-push is judged against the ref as it is, not the old value the client claims', async () => {
  const c = 'c'.repeat(40);
  const claimsCreation = [{ before: zeroSha, after: b, ref: 'refs/heads/main' }];
  const policy = pushPolicy({ project: 'p', role: 'admin', rules: [rule('main')], commands: claimsCreation, matches: exact });
  assert.deepEqual(await refusals(policy, claimsCreation, repo(false, c)), ['refs/heads/main is protected in project p: force-push is not allowed (rule "main")']);
  assert.deepEqual(await refusals(policy, claimsCreation, repo(false, undefined)), [], 'a new branch is no force-push');
});

test('a policy too large for the environment refuses the whole push', async () => {
  const updates = Array.from({ length: 3000 }, (_, i) => ({ before: zeroSha, after: b, ref: `refs/heads/release/${i}` }));
  const policy = pushPolicy({ project: 'p', role: 'maintainer', rules: [rule('release/*')], commands: updates, matches: () => true });
  const env = policyEnv(policy)[policyEnvName]!;
  assert.ok(env.length < 96 * 1024);
  assert.deepEqual(await refusals(JSON.parse(env) as PushPolicy, updates, never), ['push refused: it updates 3000 protected branches at once; push them in smaller groups']);
  const small = pushPolicy({ project: 'p', role: 'maintainer', rules: [rule('release/*')], commands: updates.slice(0, 10), matches: () => true });
  assert.deepEqual(JSON.parse(policyEnv(small)[policyEnvName]!), small);
});
