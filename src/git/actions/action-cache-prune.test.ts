// Pruning the action caches: entries unused for the maximum age go (and crash leftovers),
// entries in use or used lately stay, a use marks an entry used; on the server, trees and
// archives go and a later resolution unpacks the tree again (the store's unfinishedShas,
// what a server keeps, is in src/store/store.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneUnused, shaNamed, touchUsed } from './action-cache-prune.ts';
import { ActionSources } from './action-sources.ts';
import { parseActionRef, type ActionRef } from './action-ref.ts';
import { gitOk } from '../test-support.ts';

const day = 24 * 3_600_000;
const sha = (c: string) => c.repeat(40);
const age = (path: string, ms: number) => utimes(path, new Date(Date.now() - ms), new Date(Date.now() - ms));

test('entries unused for longer than the maximum age go, unless in use; a use marks one used; 0 prunes nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-prune-'));
  try {
    for (const name of [sha('a'), sha('b'), sha('c'), sha('d'), '.tmp-old', 'not-a-sha']) await mkdir(join(dir, name));
    await writeFile(join(dir, sha('a'), 'action.yml'), 'name: a\n');
    for (const name of [sha('a'), sha('b'), sha('c'), '.tmp-old', 'not-a-sha']) await age(join(dir, name), 40 * day);
    assert.equal(await touchUsed(join(dir, sha('c'))), true, 'c is used today');
    assert.equal(await touchUsed(join(dir, sha('e'))), false, 'nothing to mark');
    assert.deepEqual(await pruneUnused(dir, shaNamed, { maxAgeMs: 0, inUse: new Set() }), []);
    const removed = await pruneUnused(dir, shaNamed, { maxAgeMs: 30 * day, inUse: new Set([sha('b')]) });
    assert.deepEqual(removed, [sha('a')]);
    assert.deepEqual((await readdir(dir)).sort(), [sha('b'), sha('c'), sha('d'), 'not-a-sha'].sort(), 'b in use, c used lately, d new, foreign names untouched; the crash leftover went');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the server's trees and archives unused for the maximum age go; the next resolution unpacks the tree again", async () => {
  const root = await mkdtemp(join(tmpdir(), 'slipway-prune-sources-'));
  try {
    const work = join(root, 'work');
    await gitOk(root, ['init', '-q', work]);
    await writeFile(join(work, 'action.yml'), 'name: p\nruns: { using: composite, steps: [] }\n');
    await gitOk(work, ['add', '-A']);
    await gitOk(work, ['commit', '-q', '-m', 'p']);
    await gitOk(root, ['clone', '-q', '--bare', work, join(root, 'p.git')]);
    const sources = new ActionSources({ sources: [{ name: 'instance' }], dir: join(root, 'data'), projectsOwner: 'local', projectRepo: (p) => (p === 'p' ? join(root, 'p.git') : undefined), timeoutMs: 5000 });
    const ref = parseActionRef('local/p@main') as ActionRef;
    const first = await sources.resolve(ref);
    const archive = await sources.archives.archiveOf(first.sha, first.tree);
    assert.deepEqual(await sources.prune({ maxAgeMs: 30 * day, inUse: new Set() }), [], 'used today');
    await age(first.tree, 31 * day);
    await age(archive.path, 31 * day);
    assert.deepEqual(await sources.prune({ maxAgeMs: 30 * day, inUse: new Set([first.sha]) }), [], 'a run not finished holds it');
    assert.deepEqual(await sources.prune({ maxAgeMs: 30 * day, inUse: new Set() }), [first.sha]);
    assert.equal(sources.cachedTree(first.sha), undefined);
    assert.equal(sources.archives.pathOf(first.sha), undefined);
    const again = await sources.resolve(ref);
    assert.deepEqual([again.sha, again.cached], [first.sha, false], 'unpacked again');
    const remade = await sources.archives.archiveOf(again.sha, again.tree);
    assert.equal(sources.archives.pathOf(first.sha), remade.path, 'the archive is made again too');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
