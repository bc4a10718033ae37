// Action sources against real git repositories: a project of the instance, a mirror made from
// a local path, pinned SHAs, a missing ref, an unreachable URL source (a closed loopback
// port, which fails at once), and two resolutions of one commit at the same time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitOk, startHosting } from '../test-support.ts';
import { isSlipwayError } from '../../core/errors.ts';
import { ActionSources, repoUrl } from './action-sources.ts';
import { mirrorAction } from './action-mirror.ts';
import { parseActionRef, type ActionRef } from './action-ref.ts';

const ref = (uses: string): ActionRef => {
  const r = parseActionRef(uses);
  if ('problem' in r) throw new Error(r.problem);
  return r;
};

async function fixture() {
  const root = await mkdtemp(join(tmpdir(), 'slipway-action-sources-'));
  const work = join(root, 'work');
  await mkdir(work);
  await gitOk(work, ['init', '-q']);
  await writeFile(join(work, 'action.yml'), 'name: greet\nruns: { using: composite, steps: [] }\n');
  await gitOk(work, ['add', '-A']);
  await gitOk(work, ['commit', '-q', '-m', 'one']);
  await gitOk(work, ['tag', 'v1']);
  const v1 = await gitOk(work, ['rev-parse', 'HEAD']);
  const projects = join(root, 'projects');
  await gitOk(root, ['clone', '-q', '--bare', work, join(projects, 'greet.git')]);
  const sources = (list: ConstructorParameters<typeof ActionSources>[0]['sources']) =>
    new ActionSources({ sources: list, dir: join(root, 'data'), projectsOwner: 'local', projectRepo: (p) => (p === 'greet' ? join(projects, 'greet.git') : undefined), timeoutMs: 5000 });
  return { root, work, v1, sources, done: () => rm(root, { recursive: true, force: true }) };
}

test('a project of the instance resolves by tag, branch and full SHA, its tree cached by SHA', async () => {
  const f = await fixture();
  try {
    const s = f.sources([{ name: 'instance' }]);
    const byTag = await s.resolve(ref('local/greet@v1'));
    assert.equal(byTag.sha, f.v1);
    assert.equal(byTag.source, 'instance');
    assert.equal(byTag.cached, false);
    assert.match(await readFile(join(byTag.tree, 'action.yml'), 'utf8'), /name: greet/);
    const byBranch = await s.resolve(ref('local/greet@main'));
    assert.equal(byBranch.sha, f.v1);
    assert.equal(byBranch.cached, true);
    assert.equal((await s.resolve(ref(`local/greet@${f.v1}`))).sha, f.v1);
    // Nothing but the tree is left in the cache (temp dirs are gone).
    assert.deepEqual(await readdir(join(f.root, 'data', 'cache')), [f.v1]);
  } finally {
    await f.done();
  }
});

test('concurrent resolutions of one commit share one tree and leave no temp dir', async () => {
  const f = await fixture();
  try {
    const s = f.sources([{ name: 'instance' }]);
    const all = await Promise.all(Array.from({ length: 6 }, () => s.resolve(ref('local/greet@v1'))));
    assert.ok(all.every((r) => r.sha === f.v1 && r.tree === all[0]!.tree));
    assert.deepEqual(await readdir(join(f.root, 'data', 'cache')), [f.v1]);
  } finally {
    await f.done();
  }
});

test('a missing ref, a missing repository and an unreachable source fail naming each source', async () => {
  const f = await fixture();
  try {
    const s = f.sources([{ name: 'instance' }, { name: 'github', url: 'http://127.0.0.1:1' }]);
    await assert.rejects(s.resolve(ref('local/greet@v9')), (err) => isSlipwayError(err, 'ACTION_UNRESOLVED') && /action local\/greet@v9: source 'instance' project greet has no tag or branch v9$/.test(err.message));
    const started = Date.now();
    await assert.rejects(s.resolve(ref('owner/repo@v1')), (err) => {
      assert.ok(isSlipwayError(err, 'ACTION_UNRESOLVED'));
      assert.match(err.message, /^action owner\/repo@v1: not found in source 'instance' \(no mirror owner\/repo; projects are `local\/<project>`\); source 'github' http:\/\/127\.0\.0\.1:1\/owner\/repo unreachable: .*127\.0\.0\.1 port 1/);
      // No source had it at all: the message says how to get it onto an offline installation.
      assert.match(err.message, /; to use it here, mirror it into this instance: slipway actions mirror owner\/repo --from <git URL or path>$/);
      return true;
    });
    assert.ok(Date.now() - started < 3000, 'an unreachable source fails fast');
    await assert.rejects(s.resolve(ref('local/nope@v1')), /not found in source 'instance' \(no mirror local\/nope; no project nope\)/);
  } finally {
    await f.done();
  }
});

test('a project the caller may not read is refused, and no later source is asked for it', async () => {
  const f = await fixture();
  try {
    const s = f.sources([{ name: 'instance' }, { name: 'github', url: 'http://127.0.0.1:1' }]);
    await assert.rejects(s.resolve(ref('local/greet@v1'), { mayRead: () => Promise.resolve(false), who: 'the pusher bob' }), /action local\/greet@v1: source 'instance' project greet: the pusher bob may not read it \(missing permission git\.read\)$/);
  } finally {
    await f.done();
  }
});

test('a mirror from a local path holds every branch and tag, re-running updates it, and it resolves offline', async () => {
  const f = await fixture();
  try {
    const s = f.sources([{ name: 'instance' }]);
    const first = await mirrorAction(s, 'Acme', 'Tool', f.work);
    assert.equal(first.created, true);
    assert.equal(first.refs['refs/tags/v1'], f.v1);
    assert.ok(first.refs['refs/heads/main'] ?? first.refs['refs/heads/master']);
    await writeFile(join(f.work, 'more.txt'), 'x');
    await gitOk(f.work, ['add', '-A']);
    await gitOk(f.work, ['commit', '-q', '-m', 'two']);
    await gitOk(f.work, ['tag', 'v2']);
    const v2 = await gitOk(f.work, ['rev-parse', 'HEAD']);
    const again = await mirrorAction(s, 'acme', 'tool', f.work);
    assert.equal(again.created, false);
    assert.equal(again.refs['refs/tags/v2'], v2);
    const resolved = await s.resolve(ref('acme/tool@v2'));
    assert.equal(resolved.sha, v2);
    assert.equal(await readFile(join(resolved.tree, 'more.txt'), 'utf8'), 'x');
    await assert.rejects(mirrorAction(s, 'acme', 'tool', 'file:///etc'), /only http\(s\) URLs and absolute paths/);
  } finally {
    await f.done();
  }
});

test('a URL source over git HTTP: a tag and a pinned SHA fetched; the SHA resolves again with the host gone; a cached tree is not had under another name', async () => {
  const f = await fixture();
  const host = await startHosting();
  let closed = false;
  try {
    await gitOk(f.work, ['push', '-q', `${host.base}/greet.git`, 'HEAD:refs/heads/main', 'refs/tags/v1']);
    const url = f.sources([{ name: 'forge', url: `${host.base}/{repo}.git` }]);
    const byTag = await url.resolve(ref('someone/greet@v1'));
    assert.deepEqual([byTag.sha, byTag.source, byTag.cached], [f.v1, 'forge', false]);
    assert.equal((await url.resolve(ref(`someone/greet@${f.v1}`))).sha, f.v1);
    // Never seen under this name: fetched by SHA (the tree in the cache is not taken on trust).
    const fetched = await url.resolve(ref(`fresh/greet@${f.v1}`));
    assert.deepEqual([fetched.sha, fetched.cached], [f.v1, false]);
    await host.close();
    closed = true;
    const offline = await url.resolve(ref(`someone/greet@${f.v1}`));
    assert.equal(offline.cached, true, 'a pinned SHA this source gave for this repository needs no network');
    // The same SHA under a repository that never served it must be fetched from there (here: the host is gone).
    await assert.rejects(url.resolve(ref(`other/greet@${f.v1}`)), /git fetch .* failed/);
  } finally {
    if (!closed) await host.close();
    await f.done();
  }
});

test('URL sources: <url>/<owner>/<repo>, or a template', () => {
  assert.equal(repoUrl('https://github.com/', ref('a/b@v1')), 'https://github.com/a/b');
  assert.equal(repoUrl('http://h/git/{repo}.git', ref('a/b/sub@v1')), 'http://h/git/b.git');
});

test('the uses grammar', () => {
  assert.deepEqual(parseActionRef('actions/setup-node/sub/dir@v4'), { owner: 'actions', repo: 'setup-node', path: 'sub/dir', ref: 'v4' });
  assert.match((parseActionRef('actions/setup-node') as { problem: string }).problem, /names no version/);
  assert.match((parseActionRef('actions@v1') as { problem: string }).problem, /is not `owner\/repo/);
  assert.match((parseActionRef('a/b/../c@v1') as { problem: string }).problem, /invalid path/);
  assert.match((parseActionRef('a/b@v1..x') as { problem: string }).problem, /invalid ref/);
});
