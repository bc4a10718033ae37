import test from 'node:test';
import assert from 'node:assert/strict';
import { environmentSecretsWithheld } from './deployment-secrets.ts';
import type { ReadFileAt } from './config-at.ts';

const base = 'service: app\nimage: app\nport: 8080\nenvironments:\n';
/** deploy.yml per revision ('HEAD' is the default branch). */
const files = (byRev: Record<string, string>): ReadFileAt => async (_project, rev, path) => (path === '.slipway/deploy.yml' ? byRev[rev] : undefined);
const run = (ref = 'refs/heads/feature') => ({ sha: 'abc1234def', ref });

test('an environment without a gate gives its secrets; one that is not in deploy.yml too', async () => {
  const read = files({ HEAD: `${base}  staging: { hosts: [local] }\n` });
  assert.equal(await environmentSecretsWithheld(read, 'p', run(), 'staging'), undefined);
  assert.equal(await environmentSecretsWithheld(read, 'p', run(), 'elsewhere'), undefined);
});

test("the default branch's approval withholds them, whatever the run's own commit says", async () => {
  const read = files({ HEAD: `${base}  production: { hosts: [local], approval: { required: 1 } }\n`, abc1234def: `${base}  production: { hosts: [local] }\n` });
  assert.match((await environmentSecretsWithheld(read, 'p', run(), 'production'))!, /production requires approval \(deploy.yml on the default branch: approval\)/);
});

test('a job that waited at the gate and was approved gets them; its branch must still be allowed', async () => {
  const read = files({ HEAD: `${base}  production: { hosts: [local], branches: [main], approval: { required: 1 } }\n` });
  assert.equal(await environmentSecretsWithheld(read, 'p', run('refs/heads/main'), 'production', true), undefined);
  assert.match((await environmentSecretsWithheld(read, 'p', run(), 'production', true))!, /production takes only branches main/);
});

test("the run's commit can add a gate for itself", async () => {
  const read = files({ abc1234def: `${base}  production: { hosts: [local], approval: { required: 1 } }\n` });
  assert.match((await environmentSecretsWithheld(read, 'p', run(), 'production'))!, /deploy.yml on commit abc1234: approval/);
});

test('branches: a run from a branch the environment does not take gets none', async () => {
  const read = files({ HEAD: `${base}  staging: { hosts: [local], branches: [main, 'release/*'] }\n` });
  assert.match((await environmentSecretsWithheld(read, 'p', run(), 'staging'))!, /staging takes only branches main, release\/\* .*not feature/);
  assert.equal(await environmentSecretsWithheld(read, 'p', run('refs/heads/release/1'), 'staging'), undefined);
  assert.match((await environmentSecretsWithheld(read, 'p', run('refs/tags/v1'), 'staging'))!, /not refs\/tags\/v1/);
});

test('an invalid deploy.yml on the default branch withholds them rather than guess', async () => {
  const read = files({ HEAD: 'service: [' });
  assert.match((await environmentSecretsWithheld(read, 'p', run(), 'staging'))!, /deploy.yml on the default branch is invalid/);
});
