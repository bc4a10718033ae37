// Environment protection against a real store (SQLite, migrations) and deploy.yml texts
// per commit: the default branch's file protects, the server's rules win over it, a
// release's own file contributes only what the app is, and the push note says what a branch
// changed. Blocks set on the server are checked by the deploy.yml parser.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, migrate, type Db } from '../../store/database.ts';
import { createStore, type Store } from '../../store/store.ts';
import type { Project } from '../../store/repos/projects.ts';
import { isSlipwayError } from '../../core/errors.ts';
import { parseDeployConfig } from './parse-deploy-config.ts';
import { planFor, projectRules, protectedEnvironment, type ProtectedRulesDeps } from './protected-rules.ts';
import { blockOf, readBlock } from './rules-block.ts';
import { protectionNotes } from './protection-notes.ts';

const main = `service: shop
image: shop
port: 8080
env: { clear: { MODE: prod }, secret: [DATABASE_URL] }
environments:
  dev: { branch: main, hosts: [local], publish: 8081 }
  production:
    promote_from: dev
    branches: [main]
    approval: { required: 2, not_author: true, wait: 10m, approvers: [bob, carol] }
    hosts: ["ssh://deploy@web-1", "ssh://deploy@web-2"]
    strategy: rolling
    batch_size: 1
`;
// The attack: a branch that drops the gate and sends production elsewhere.
const evil = `service: shop
image: shop
port: 9999
env: { clear: { MODE: evil }, secret: [DATABASE_URL, ADMIN_TOKEN] }
environments:
  dev: { branch: main, hosts: [local], publish: 8081 }
  production: { branch: evil, hosts: ["ssh://me@attacker.example"] }
  mine: { hosts: [local] }
`;

let dir: string;
let db: Db;
let store: Store;
let project: Project;
const files = new Map<string, string>([['a'.repeat(40), main], ['e'.repeat(40), evil]]);
let head: { ref: string; sha: string } | undefined = { ref: 'refs/heads/main', sha: 'a'.repeat(40) };
const deps = (): ProtectedRulesDeps => ({ store, readFile: async (_p, sha) => files.get(sha), defaultBranch: async () => head });
const parse = (text: string) => parseDeployConfig('.slipway/deploy.yml', text).config!;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-rules-'));
  db = openDatabase({ sqlitePath: join(dir, 'slipway.db') });
  await migrate(db);
  store = createStore(db);
  project = await store.projects.ensure('shop');
});

after(async () => {
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
});

void test("the default branch's file protects; a release's own file adds only what the app is", async () => {
  const rules = await projectRules(deps(), project);
  assert.deepEqual(rules.environments.map((e) => [e.env.name, e.source.kind]), [['dev', 'default-branch'], ['production', 'default-branch']]);
  const production = await protectedEnvironment(deps(), project, 'production');
  const plan = planFor(parse(evil), production);
  assert.deepEqual(plan.env.hosts, ['ssh://deploy@web-1', 'ssh://deploy@web-2']);
  assert.deepEqual(plan.env.approval, { required: 2, notAuthor: true, waitMs: 600_000, approvers: ['bob', 'carol'] });
  assert.equal(plan.env.branch, undefined, "the release's branch: evil does not count");
  assert.deepEqual([plan.config.port, plan.config.env.clear, plan.config.env.secret], [9999, { MODE: 'evil' }, ['DATABASE_URL']], 'the app from the release, the secret names from the protection');
  await assert.rejects(protectedEnvironment(deps(), project, 'mine'), (err: unknown) => isSlipwayError(err, 'ENVIRONMENT_UNKNOWN') && /shop has no environment "mine": environments are defined by .slipway\/deploy.yml on the default branch main/.test(err.message));
});

void test("server rules take precedence over the default branch's file, per environment; removing them restores the file's", async () => {
  const current = await protectedEnvironment(deps(), project, 'production');
  const block = { ...blockOf(current.env, current.secrets), hosts: ['local'], approval: { required: 1 } };
  const checked = readBlock('production', block, ['dev', 'production']);
  await store.environmentRules.set(project.id, 'production', blockOf(checked.env, checked.secrets), 'alice');
  const now = await protectedEnvironment(deps(), project, 'production');
  assert.deepEqual([now.source.kind, now.env.hosts, now.env.approval, now.env.promoteFrom, now.secrets], ['server', ['local'], { required: 1, notAuthor: false }, 'dev', ['DATABASE_URL']]);
  assert.equal((await protectedEnvironment(deps(), project, 'dev')).source.kind, 'default-branch');
  // An environment only the server defines exists too.
  await store.environmentRules.set(project.id, 'qa', { hosts: ['local'], secrets: [] }, 'alice');
  assert.deepEqual((await projectRules(deps(), project)).environments.map((e) => e.env.name), ['dev', 'production', 'qa']);
  assert.ok(await store.environmentRules.remove(project.id, 'production'));
  assert.ok(await store.environmentRules.remove(project.id, 'qa'));
  assert.equal((await protectedEnvironment(deps(), project, 'production')).source.kind, 'default-branch');
});

void test('a block is checked as deploy.yml is: every problem, by key', () => {
  assert.throws(
    () => readBlock('production', { hosts: ['ftp://x'], promote_from: 'nowhere', approval: { required: 3, approvers: ['bob'] }, secrets: ['bad name'] }, ['dev']),
    (err: unknown) =>
      isSlipwayError(err, 'BAD_REQUEST') &&
      err.message ===
        'environment production: secrets[0]: "bad name" is not a valid environment variable name; hosts: at least one host is required; hosts[0]: "ftp://x" is not "local" or ssh://user@host[:port]; approval.approvers: 1 approver(s) cannot give 3 approvals from different people',
  );
  assert.throws(() => readBlock('production', { hosts: ['local'], promote_from: 'nowhere' }, ['dev']), /promote_from: unknown environment "nowhere" \(defined: production, dev\)/);
  const round = readBlock('production', blockOf(parse(main).environments[1]!, ['DATABASE_URL']), ['dev']);
  assert.deepEqual(round.env, parse(main).environments[1]);
});

void test('the push note: each environment block (and env.secret) a branch changed, added or removed', () => {
  const notes = protectionNotes(parse(evil), parse(main), 'evil', 'main', new Set(['production']));
  assert.deepEqual(notes, [
    ".slipway/deploy.yml: environment production changed on branch evil; protection rules take effect only once on the default branch main; the server's rules for production take precedence over the file",
    '.slipway/deploy.yml: environment mine changed on branch evil; protection rules take effect only once on the default branch main',
    '.slipway/deploy.yml: env.secret changed on branch evil; protection rules take effect only once on the default branch main',
  ]);
  const appOnly = main.replace('port: 8080', 'port: 9090').replace('MODE: prod', 'MODE: test');
  assert.deepEqual(protectionNotes(parse(appOnly), parse(main), 'feature', 'main', new Set()), [], 'what the app is may change on any branch');
});

void test('before the first push there is no default branch and so no environment', async () => {
  head = undefined;
  try {
    assert.deepEqual((await projectRules(deps(), project)).environments, []);
  } finally {
    head = { ref: 'refs/heads/main', sha: 'a'.repeat(40) };
  }
});
