// The push payload against real git: a bare repository behind GitHosting, pushes from a
// real client (a new branch, a fast-forward, a force-push), compared with GitHub's keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openDatabase, migrate } from '../store/database.ts';
import { createStore } from '../store/store.ts';
import { startHosting, gitOk } from '../git/test-support.ts';
import { matchesPatterns } from '../workflow/glob.ts';
import { numericId } from '../scheduler/contexts.ts';
import { pushPayload, repositoryPayload, triggerFacts } from './event-payload.ts';
import { pushCommitKeys, pushPayloadKeys, repositoryKeys } from './test-support.ts';

const sorted = (o: object) => Object.keys(o).sort();

test('a push payload has GitHub\'s keys, the pushed commits with their files, head_commit, repository and sender', async () => {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  const store = createStore(db);
  const h = await startHosting({ protection: { rules: store.protectedBranches, roleOn: async () => 'maintainer', matches: (b, p) => matchesPatterns(b, [p]) } });
  const work = join(h.tmp, 'work');
  try {
    await mkdir(work);
    await gitOk(work, ['init', '-q']);
    await writeFile(join(work, 'a.txt'), 'a\n');
    await gitOk(work, ['add', '.']);
    await gitOk(work, ['commit', '-q', '-m', 'first\n\nwith a body']);
    await writeFile(join(work, 'b.txt'), 'b\n');
    await gitOk(work, ['add', '.']);
    await gitOk(work, ['commit', '-q', '-m', 'second']);
    await gitOk(work, ['push', '-q', `${h.base}/demo.git`, 'main']);
    const deps = { git: h.hosting, store, baseUrl: 'http://ci.example' };

    const created = await pushPayload(deps, h.events[0]!);
    assert.deepEqual(sorted(created), pushPayloadKeys);
    assert.deepEqual([created.created, created.deleted, created.forced], [true, false, false]);
    const commits = created.commits as Record<string, unknown>[];
    assert.deepEqual(commits.map((c) => c.message), ['first\n\nwith a body', 'second'], 'oldest first, whole messages');
    for (const c of commits) assert.deepEqual(sorted(c), pushCommitKeys);
    assert.deepEqual(commits.map((c) => c.added), [['a.txt'], ['b.txt']]);
    assert.deepEqual((created.head_commit as { id: string }).id, h.events[0]!.after);
    const repository = created.repository as Record<string, unknown>;
    assert.deepEqual(sorted(repository), [...repositoryKeys, 'master_branch'].sort());
    assert.deepEqual([repository.full_name, repository.default_branch, repository.clone_url], ['slipway/demo', 'main', 'http://ci.example/git/demo.git']);
    assert.deepEqual(created.sender, { login: 'alice', id: numericId('alice'), type: 'User' });
    assert.deepEqual(created.pusher, { name: 'alice', email: null });

    // A fast-forward: only the new commit, with what it modified and removed.
    await writeFile(join(work, 'a.txt'), 'a2\n');
    await gitOk(work, ['rm', '-q', 'b.txt']);
    await gitOk(work, ['commit', '-q', '-am', 'third']);
    await gitOk(work, ['push', '-q', `${h.base}/demo.git`, 'main']);
    const ff = await pushPayload(deps, h.events[1]!);
    assert.deepEqual([ff.created, ff.forced], [false, false]);
    assert.deepEqual((ff.commits as Record<string, unknown>[]).map((c) => [c.message, c.modified, c.removed]), [['third', ['a.txt'], ['b.txt']]]);
    assert.match(ff.compare as string, /^http:\/\/ci\.example\/p\/demo\/compare\/[0-9a-f]{12}\.\.\.[0-9a-f]{12}$/);

    // A force-push (allowed on a branch no rule protects).
    await gitOk(work, ['checkout', '-q', '-b', 'topic']);
    await gitOk(work, ['push', '-q', `${h.base}/demo.git`, 'topic']);
    await gitOk(work, ['commit', '-q', '--amend', '-m', 'third, amended']);
    await gitOk(work, ['push', '-q', '-f', `${h.base}/demo.git`, 'topic']);
    const forced = await pushPayload(deps, h.events.at(-1)!);
    assert.equal(forced.forced, true);
    assert.deepEqual((forced.commits as { message: string }[]).map((c) => c.message), ['third, amended']);
    // The new branch at a commit main already has brought no commits of its own, but has a head_commit.
    assert.deepEqual(((await pushPayload(deps, h.events.at(-2)!)).commits as unknown[]).length, 0);

    // github.ref_protected: the default branch is protected by default, topic is not.
    assert.equal((await triggerFacts(deps, 'demo', 'refs/heads/main', 'alice')).refProtected, true);
    assert.equal((await triggerFacts(deps, 'demo', 'refs/heads/topic', 'alice')).refProtected, false);
    assert.equal((await triggerFacts(deps, 'demo', 'refs/tags/v1', 'alice')).refProtected, false);
    assert.equal((await repositoryPayload(deps, 'demo')).id, numericId((await store.projects.get('demo'))!.id));
  } finally {
    await h.close();
    await db.destroy();
    await rm(work, { recursive: true, force: true });
  }
});
