// actions/setup-node built in, against the real in-process RunnerApi (SQLite in memory,
// caches in a temp data dir) and a real shell executor: the job's `node` and `npm` are
// this machine's, asked inside the job as on a runner.
import assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ClaimedJob } from '../protocol/wire.ts';
import { actionTestServer } from './action-test-support.ts';
import { LogWriter } from '../log-writer.ts';
import type { JobPaths } from '../job-context.ts';
import type { PostStep } from '../job-state.ts';
import type { ActionContext } from './action.ts';
import { setupNode } from './setup-node.ts';
import { findAction } from './index.ts';
import { cacheKey } from './setup-node-cache.ts';
import { hashFiles } from '../hash-files.ts';
import { isSlipwayError } from '../../core/errors.ts';
import { ShellExecutor } from '../executors/shell/shell-executor.ts';
import { bareJob } from '../executors/contract-support.ts';

const { tmp, store, api, project } = await actionTestServer('setup-node');
// Without the npm_config_* variables `npm test` hands its scripts: its npm_config_cache would
// point the job's npm away from the job's HOME.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
const executor = new ShellExecutor({ baseEnv });
await executor.setup(bareJob(tmp));
after(() => executor.teardown());

/** The job's HOME: npm's cache (`~/.npm`) lives there. */
const home = join(tmp, 'home');
mkdirSync(home);
const jobEnv = { HOME: home };
const inJob = async (script: string, cwd = tmp) => {
  let output = '';
  const o = await executor.run({ script, shell: 'sh', env: jobEnv, cwd, onOutput: (t) => (output += t) });
  return { exitCode: o.exitCode, output };
};
const jobNode = (await inJob('node --version')).output.trim();
const jobMajor = jobNode.slice(1).split('.')[0]!;

const run = await store.runs.create({
  projectId: project.id, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha: 'a'.repeat(40),
  jobs: Array.from({ length: 4 }, (_, i) => ({ key: `j${i}`, name: `j${i}`, needs: [], runsOn: ['local'] })),
});
const jobs = await store.runs.jobs(run.id);

let n = 0;
function job(files: Record<string, string> = {}): JobPaths {
  const root = join(tmp, `job${++n}`);
  for (const d of ['ws', 'temp', 'files']) mkdirSync(join(root, d), { recursive: true });
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(root, 'ws', p, '..'), { recursive: true });
    writeFileSync(join(root, 'ws', p), c);
  }
  const f = join(root, 'files');
  return { workspace: join(root, 'ws'), temp: join(root, 'temp'), toolCache: join(root, 'tc'), actions: join(root, 'actions'), event: join(root, 'event.json'), files: { env: join(f, 'env'), output: join(f, 'output'), path: join(f, 'path'), summary: join(f, 'summary'), state: join(f, 'state') } };
}

async function call(paths: JobPaths, inputs: Record<string, string>, options: { posts?: PostStep[]; jobId?: string; env?: Record<string, string> } = {}) {
  let text = '';
  const log = new LogWriter({ startSeq: 0, send: async (_s, t) => void (text += t) });
  const ctx: ActionContext = {
    claimed: { id: options.jobId ?? jobs[0]!.id, project: 'demo', contexts: { github: { repository_owner: 'acme' } } } as unknown as ClaimedJob,
    api, paths, log, inputs, env: options.env ?? {}, signal: new AbortController().signal,
    stepName: 'Setup Node', addPostStep: (p) => options.posts?.push(p), jobFailed: () => false,
    runInJob: (script) => inJob(script, paths.workspace),
  };
  try {
    const result = await setupNode(ctx);
    await log.flush();
    return { outputs: result.outputs ?? {}, log: text };
  } catch (err) {
    await log.flush();
    throw Object.assign(err as Error, { log: text });
  }
}

void test('registered for every ref of actions/setup-node', () => {
  for (const ref of ['v1', 'v2', 'v3', 'v4', 'v4.1.0', 'main']) assert.equal(findAction(`actions/setup-node@${ref}`), setupNode, ref);
  assert.equal(findAction('Actions/Setup-Node@v4'), setupNode);
});

void test("the job's Node answers node-version: success, no download, output node-version", async () => {
  for (const spec of [jobMajor, `${jobMajor}.x`, '>=18', 'node', 'latest', `^${jobNode.slice(1)}`]) {
    const r = await call(job(), { 'node-version': spec });
    assert.equal(r.outputs['node-version'], jobNode, spec);
    assert.equal(r.outputs['cache-hit'], undefined, 'no cache asked for: not set, as on GitHub');
    assert.match(r.log, new RegExp(`Using Node ${jobNode.replace(/\./g, '\\.')} already on this runner \\(no download: `), spec);
  }
  const none = await call(job(), {});
  assert.match(none.log, /no download: no node-version or node-version-file given/);
});

void test('a Node the job does not have fails the step, naming the wanted range, the one there and what to do', async () => {
  await assert.rejects(call(job(), { 'node-version': '12' }), (e: Error) => {
    assert.ok(isSlipwayError(e, 'NOT_FOUND'));
    assert.match(e.message, /node-version "12" wants a Node this job does not have/);
    assert.match(e.message, new RegExp(`The job's node is ${jobNode.replace(/\./g, '\\.')}, and Slipway never downloads one`));
    assert.match(e.message, /map its runs-on label to an image that has it \(runner.labels in DATA\/config.yml, e.g. `ubuntu-latest: docker:\/\/registry.example\/node:12`; with slipway run: -P ubuntu-latest=docker:\/\/registry.example\/node:12\)/);
    assert.match(e.message, /self-hosted runner/);
    return true;
  });
  await assert.rejects(call(job(), { 'node-version': 'twenty' }), (e: Error) => isSlipwayError(e, 'WORKFLOW_INVALID') && /"twenty" in the range/.test(e.message));
  await assert.rejects(call(job(), { 'node-version': jobMajor, architecture: 'ppc64' }), /architecture "ppc64" wanted/);
});

void test('node-version-file: .nvmrc, package.json engines and volta.extends, read in the job', async () => {
  const nvmrc = await call(job({ '.nvmrc': `v${jobMajor}\n` }), { 'node-version-file': '.nvmrc' });
  assert.match(nvmrc.log, new RegExp(`Resolved \\.nvmrc as ${jobMajor}\\b`));
  assert.equal(nvmrc.outputs['node-version'], jobNode);
  const engines = await call(job({ 'package.json': JSON.stringify({ engines: { node: '>=18' } }) }), { 'node-version-file': 'package.json' });
  assert.match(engines.log, /Resolved package\.json as >=18/);
  const volta = await call(job({ 'package.json': JSON.stringify({ volta: { node: '12.22.0' } }) }), { 'node-version-file': 'package.json' }).catch((e: Error) => e);
  assert.match((volta as Error).message, /"12\.22\.0" \(from package\.json\) wants a Node this job does not have/);
  const extended = await call(job({ 'app/package.json': JSON.stringify({ volta: { extends: '../package.json' } }), 'package.json': JSON.stringify({ volta: { node: jobMajor } }) }), { 'node-version-file': 'app/package.json' });
  assert.match(extended.log, /Resolving node version from .*\/ws\/package\.json/);
  await assert.rejects(call(job(), { 'node-version-file': '.nvmrc' }), /the specified node version file at: .*\/\.nvmrc does not exist/);
  await assert.rejects(call(job({ 'package.json': '{"name":"x"}' }), { 'node-version-file': 'package.json' }), /names no Node version/);
  const both = await call(job({ '.nvmrc': '12' }), { 'node-version': jobMajor, 'node-version-file': '.nvmrc' });
  assert.match(both.log, /only node-version will be used/);
});

void test('cache: npm: a miss saves ~/.npm after the job, the same lockfile hits and restores it', async () => {
  const lock = JSON.stringify({ name: 'app', lockfileVersion: 3, packages: {} });
  const first = job({ 'package-lock.json': lock });
  const posts: PostStep[] = [];
  const miss = await call(first, { 'node-version': jobMajor, cache: 'npm' }, { posts });
  assert.equal(miss.outputs['cache-hit'], 'false');
  assert.match(miss.outputs['cache-primary-key']!, new RegExp(`^node-cache-Linux-${process.arch}-npm-[0-9a-f]{64}$`));
  assert.match(miss.log, /npm cache is not found/);
  assert.equal(posts.length, 1);
  assert.equal(posts[0]!.condition, 'success');
  // What `npm ci` leaves in npm's cache directory.
  mkdirSync(join(home, '.npm/_cacache/index-v5'), { recursive: true });
  writeFileSync(join(home, '.npm/_cacache/index-v5/entry'), 'cached');
  await posts[0]!.run();
  assert.deepEqual(readdirSync(first.temp), [], 'the archive left RUNNER_TEMP');
  rmSync(join(home, '.npm'), { recursive: true });

  const second = job({ 'package-lock.json': lock });
  const hitPosts: PostStep[] = [];
  const hit = await call(second, { 'node-version': jobMajor, cache: 'npm' }, { posts: hitPosts, jobId: jobs[1]!.id });
  assert.equal(hit.outputs['cache-hit'], 'true');
  assert.equal(hit.outputs['cache-primary-key'], miss.outputs['cache-primary-key']);
  assert.match(hit.log, /Cache restored from key: node-cache-Linux-/);
  assert.equal(readFileSync(join(home, '.npm/_cacache/index-v5/entry'), 'utf8'), 'cached');
  assert.equal(hitPosts.length, 0, 'an exact hit is not saved again');

  const other = await call(job({ 'package-lock.json': `${lock}\n` }), { cache: 'npm' }, { jobId: jobs[2]!.id });
  assert.equal(other.outputs['cache-hit'], 'false', 'another lockfile is another key');
  const byPath = await call(job({ 'sub/package-lock.json': lock }), { cache: 'npm', 'cache-dependency-path': 'sub/package-lock.json' }, { jobId: jobs[2]!.id });
  assert.equal(byPath.outputs['cache-primary-key'], miss.outputs['cache-primary-key'], 'cache-dependency-path: the same file gives the same key');
});

void test('cache: bad input fails with what setup-node says', async () => {
  await assert.rejects(call(job({ 'package-lock.json': '{}' }), { cache: 'bun' }), /caching for 'bun' is not supported/);
  await assert.rejects(call(job(), { cache: 'npm' }), /dependencies lock file is not found in .*Supported file patterns: package-lock.json, npm-shrinkwrap.json, yarn.lock/);
  await assert.rejects(call(job(), { cache: 'npm', 'cache-dependency-path': 'nope/*.json' }), /cache-dependency-path "nope\/\*\.json" matches no file/);
});

void test('registry-url: an .npmrc in RUNNER_TEMP, NPM_CONFIG_USERCONFIG and a NODE_AUTH_TOKEN placeholder for later steps', async () => {
  const paths = job();
  await call(paths, { 'registry-url': 'https://npm.example.com', scope: 'Acme', 'always-auth': 'true' });
  assert.equal(readFileSync(join(paths.temp, '.npmrc'), 'utf8'), '//npm.example.com/:_authToken=${NODE_AUTH_TOKEN}\n@acme:registry=https://npm.example.com/\nalways-auth=true\n');
  assert.equal(readFileSync(paths.files.env, 'utf8'), `NPM_CONFIG_USERCONFIG=${paths.temp}/.npmrc\nNODE_AUTH_TOKEN=XXXXX-XXXXX-XXXXX-XXXXX\n`);
  // A second registry keeps the first one's lines but its registry line.
  const again = job();
  writeFileSync(join(again.temp, '.npmrc'), 'registry=https://old.example/\ncolor=false\n');
  await call(again, { 'registry-url': 'https://npm.pkg.github.com/' }, { env: { NODE_AUTH_TOKEN: 'set' } });
  assert.equal(readFileSync(join(again.temp, '.npmrc'), 'utf8'), 'registry=https://old.example/\ncolor=false\n//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}\n@acme:registry=https://npm.pkg.github.com/\nalways-auth=false\n');
  assert.equal(readFileSync(again.files.env, 'utf8'), `NPM_CONFIG_USERCONFIG=${again.temp}/.npmrc\n`, 'a NODE_AUTH_TOKEN already set is kept');
  await assert.rejects(call(job(), { 'registry-url': 'file:///etc' }), /registry-url "file:\/\/\/etc" is not an http\(s\) URL/);
});

void test("cache: an archive whose names leave npm's cache directory is refused before anything is unpacked", async () => {
  const lock = JSON.stringify({ name: 'hostile', lockfileVersion: 3, packages: {} });
  const paths = job({ 'package-lock.json': lock });
  const craft = join(tmp, 'craft');
  mkdirSync(craft);
  writeFileSync(join(craft, 'f'), 'pwned');
  const file = join(tmp, 'hostile.tgz');
  execFileSync('tar', ['-czf', file, '-C', craft, '--transform', 's|^f$|../escaped|', 'f']);
  await api.saveCache(jobs[3]!.id, cacheKey('npm', process.arch, hashFiles(paths.workspace, ['package-lock.json'])), createReadStream(file));
  await assert.rejects(call(paths, { cache: 'npm' }, { jobId: jobs[3]!.id }), (e: Error) => isSlipwayError(e, 'ARCHIVE_UNSAFE') && /member "\.\.\/escaped" leaves/.test(e.message));
  assert.equal(existsSync(join(home, 'escaped')), false, 'nothing was written beside the cache directory');
  assert.deepEqual(readdirSync(paths.temp), [], 'the archive was removed');
});
