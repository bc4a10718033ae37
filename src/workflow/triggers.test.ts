import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeroSha } from '../core/types.ts';
import { matchesPatterns } from './glob.ts';
import type { RefFilter, Workflow } from './model.ts';
import { matchPush } from './triggers.ts';

const wf = (push: RefFilter | undefined): Workflow => ({
  file: 'ci.yml', name: 'ci', on: push ? { push } : { workflowDispatch: { inputs: {} } }, env: {}, defaults: {}, jobs: [],
});
const branch = (name: string, changedFiles?: string[]) => ({ ref: `refs/heads/${name}`, changedFiles });
const tag = (name: string) => ({ ref: `refs/tags/${name}` });

void test('filter patterns follow the GitHub cheat sheet', () => {
  const m = (value: string, pattern: string): boolean => matchesPatterns(value, [pattern]);
  assert.equal(m('main', 'main'), true);
  assert.equal(m('mainx', 'main'), false);
  assert.equal(m('feature/a', 'feature/*'), true);
  assert.equal(m('feature/a/b', 'feature/*'), false, '* stops at /');
  assert.equal(m('feature/a/b', 'feature/**'), true);
  assert.equal(m('feature', 'feature/**'), false);
  assert.equal(m('a.js', '*.js'), true);
  assert.equal(m('src/a.js', '*.js'), false, '*.js is the root only');
  assert.equal(m('src/deep/a.js', '**.js'), true);
  assert.equal(m('README.md', '**/README.md'), true, '**/ matches no directory too');
  assert.equal(m('a/b/README.md', '**/README.md'), true);
  assert.equal(m('docs/a.md', 'docs/**/*.md'), true);
  assert.equal(m('docs/x/y/a.md', 'docs/**/*.md'), true);
  assert.equal(m('v1', 'v1?'), true, '? is zero or one of the preceding character');
  assert.equal(m('v', 'v1?'), true);
  assert.equal(m('v11', 'v1?'), false);
  assert.equal(m('v2.0.0', 'v[12].[0-9]+.[0-9]+'), true, '+ is one or more');
  assert.equal(m('v2.10.3', 'v[12].[0-9]+.[0-9]+'), true);
  assert.equal(m('v3.0.0', 'v[12].[0-9]+.[0-9]+'), false);
  assert.equal(m('v2x0.0', 'v[12].[0-9]+.[0-9]+'), false, '. is literal');
  assert.equal(m('releases/10', 'releases/[0-9]+'), true);
  assert.equal(m('a*b', 'a\\*b'), true, 'escaped *');
  assert.equal(m('axb', 'a\\*b'), false);
  assert.equal(m('?x', '?x'), true, 'a leading ? is literal');
  assert.equal(m('a-b_c', 'a-b_c'), true);
});

void test('! patterns exclude, later patterns re-include, in order', () => {
  const patterns = ['releases/**', '!releases/**-alpha', 'releases/keep-alpha'];
  assert.equal(matchesPatterns('releases/1.0', patterns), true);
  assert.equal(matchesPatterns('releases/1.0-alpha', patterns), false);
  assert.equal(matchesPatterns('releases/keep-alpha', patterns), true);
  assert.equal(matchesPatterns('main', ['!main']), false, 'a lone negation selects nothing');
});

void test('branches and branches-ignore', () => {
  assert.equal(matchPush(wf({}), branch('anything')), true);
  assert.equal(matchPush(wf({ branches: ['main', 'release/**'] }), branch('main')), true);
  assert.equal(matchPush(wf({ branches: ['main', 'release/**'] }), branch('release/1/2')), true);
  assert.equal(matchPush(wf({ branches: ['main'] }), branch('dev')), false);
  assert.equal(matchPush(wf({ branchesIgnore: ['wip/*'] }), branch('wip/x')), false);
  assert.equal(matchPush(wf({ branchesIgnore: ['wip/*'] }), branch('main')), true);
  assert.equal(matchPush(wf({ branches: [] }), branch('main')), false);
});

void test('tag filters alone exclude branches, branch filters alone exclude tags', () => {
  assert.equal(matchPush(wf({ tags: ['v*'] }), branch('main')), false);
  assert.equal(matchPush(wf({ tags: ['v*'] }), tag('v1.0')), true);
  assert.equal(matchPush(wf({ tags: ['v*'] }), tag('x1')), false);
  assert.equal(matchPush(wf({ tagsIgnore: ['nightly'] }), tag('nightly')), false);
  assert.equal(matchPush(wf({ tagsIgnore: ['nightly'] }), tag('v1')), true);
  assert.equal(matchPush(wf({ tagsIgnore: ['nightly'] }), branch('main')), false);
  assert.equal(matchPush(wf({ branches: ['main'] }), tag('v1')), false);
  assert.equal(matchPush(wf({ branchesIgnore: ['x'] }), tag('v1')), false);
  assert.equal(matchPush(wf({ branches: ['main'], tags: ['v*'] }), tag('v1')), true);
  assert.equal(matchPush(wf({ branches: ['main'], tags: ['v*'] }), branch('main')), true);
  assert.equal(matchPush(wf({}), tag('v1')), true, 'no ref filter: branches and tags');
});

void test('paths and paths-ignore', () => {
  const paths = wf({ paths: ['src/**', '!src/**/*.md'] });
  assert.equal(matchPush(paths, branch('main', ['src/a.ts'])), true);
  assert.equal(matchPush(paths, branch('main', ['docs/a.md', 'src/x/y.ts'])), true, 'one match is enough');
  assert.equal(matchPush(paths, branch('main', ['src/readme.md'])), false);
  assert.equal(matchPush(paths, branch('main', ['docs/a'])), false);
  assert.equal(matchPush(paths, branch('main', [])), false);
  assert.equal(matchPush(paths, branch('main')), true, 'unknown changes: run');
  const ignore = wf({ pathsIgnore: ['docs/**', '**.md'] });
  assert.equal(matchPush(ignore, branch('main', ['docs/a', 'README.md'])), false, 'only ignored files');
  assert.equal(matchPush(ignore, branch('main', ['docs/a', 'src/a.ts'])), true);
  const both = wf({ branches: ['main'], paths: ['src/**'] });
  assert.equal(matchPush(both, branch('dev', ['src/a'])), false, 'branch and paths must both match');
  assert.equal(matchPush(both, branch('main', ['src/a'])), true);
  assert.equal(matchPush(wf({ paths: ['src/**'] }), tag('v1')), true, 'paths are not evaluated for tags');
});

void test('deleted refs, other refs and workflows without push never match', () => {
  assert.equal(matchPush(wf({}), { ref: 'refs/heads/main', deleted: true }), false);
  assert.equal(matchPush(wf({}), { ref: 'refs/heads/main', after: zeroSha }), false);
  assert.equal(matchPush(wf({}), { ref: 'refs/notes/commits' }), false);
  assert.equal(matchPush(wf(undefined), branch('main')), false);
});

void test('dispatch, repository_dispatch types and schedules', async () => {
  const { matchesDispatch, matchRepositoryDispatch, matchSchedule } = await import('./triggers.ts');
  const base = wf(undefined);
  assert.equal(matchesDispatch(base), true);
  assert.equal(matchesDispatch(wf({})), false);
  assert.equal(matchRepositoryDispatch(base, 'deploy'), false);
  const rd = (types: string[]): Workflow => ({ ...base, on: { repositoryDispatch: { types } } });
  assert.equal(matchRepositoryDispatch(rd([]), 'anything'), true, 'no types: every event type');
  assert.equal(matchRepositoryDispatch(rd(['deploy', 'build']), 'build'), true);
  assert.equal(matchRepositoryDispatch(rd(['deploy']), 'Deploy'), false);
  const sched: Workflow = { ...base, on: { schedule: [{ cron: '0 3 * * *' }, { cron: '*/5 * * * *' }] } };
  assert.deepEqual(matchSchedule(sched, new Date('2025-01-01T03:00:00Z')), ['0 3 * * *', '*/5 * * * *']);
  assert.deepEqual(matchSchedule(sched, new Date('2025-01-01T03:01:00Z')), []);
});

void test('resolveInputs types values as GitHub does for dispatch', async () => {
  const { resolveInputs } = await import('./triggers.ts');
  const specs = {
    version: { type: 'string', required: true },
    dry: { type: 'boolean', required: false, default: false },
    n: { type: 'number', required: false, default: 3 },
    level: { type: 'choice', required: false, options: ['patch', 'minor'], default: 'patch' },
    notes: { type: 'string', required: false },
    count: { type: 'number', required: false },
  } as const;
  const s = specs as unknown as Parameters<typeof resolveInputs>[0];
  assert.deepEqual(resolveInputs(s, { version: '1.2', dry: 'TRUE', n: ' 7.5 ' }), {
    inputs: { version: '1.2', dry: true, n: 7.5, level: 'patch', notes: '' }, errors: [],
  });
  assert.deepEqual(resolveInputs(s, { version: 2, dry: false, level: 'minor' }).inputs, { version: '2', dry: false, n: 3, level: 'minor', notes: '' });
  assert.deepEqual(resolveInputs(s, { dry: 'yes', n: 'many', level: 'majr', verison: '1' }).errors, [
    'unknown input `verison`; did you mean `version`?',
    'missing required input `version`',
    'input `dry`: expected true or false, found `yes`',
    'input `n`: expected a number, found `many`',
    'input `level`: `majr` is not one of the options; expected one of: patch, minor',
  ]);
  assert.deepEqual(resolveInputs({}, { x: '1' }).errors, ['unknown input `x`; the workflow declares no inputs']);
});
