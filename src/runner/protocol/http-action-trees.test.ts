// The remote runner's action-tree cache against real tar.gz archives: a verified tree is
// unpacked once and then served from the cache without a download; a damaged, oversized or
// unsafe archive is refused and leaves nothing in the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runOrThrow } from '../../exec/run.ts';
import { isSlipwayError } from '../../core/errors.ts';
import { ActionTreeCache } from './http-action-trees.ts';

const sha = 'c'.repeat(40);

async function fixture() {
  const root = await mkdtemp(join(tmpdir(), 'slipway-action-trees-'));
  const cacheDir = join(root, 'cache');
  const pack = async (files: Record<string, string>, extra?: (dir: string) => Promise<void>) => {
    const dir = await mkdtemp(join(root, 'src-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    await extra?.(dir);
    const file = join(root, `${Math.random()}.tar.gz`);
    await runOrThrow(['tar', '-czf', file, '-C', dir, '.']);
    const bytes = await readFile(file);
    return { bytes, answer: { sha, source: 'instance', archive: { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } } };
  };
  return { root, cacheDir, pack, cache: new ActionTreeCache(async () => cacheDir), done: () => rm(root, { recursive: true, force: true }) };
}

test('a verified tree is unpacked once; the next resolution downloads nothing', async () => {
  const f = await fixture();
  try {
    const { bytes, answer } = await f.pack({ 'action.yml': 'name: a\n' });
    let downloads = 0;
    const download = async () => (downloads++, Readable.from([bytes]));
    const first = await f.cache.tree('job_1', answer, download);
    assert.equal(first.cached, false);
    assert.equal(await readFile(join(first.tree, 'action.yml'), 'utf8'), 'name: a\n');
    const [a, b] = await Promise.all([f.cache.tree('job_1', answer, download), f.cache.tree('job_1', answer, download)]);
    assert.deepEqual([a, b], [{ tree: first.tree, cached: true }, { tree: first.tree, cached: true }]);
    assert.equal(downloads, 1);
  } finally {
    await f.done();
  }
});

test('a damaged, oversized or unsafe archive is refused and leaves nothing in the cache', async () => {
  const f = await fixture();
  try {
    const { bytes, answer } = await f.pack({ 'action.yml': 'name: a\n' });
    const damaged = Buffer.from(bytes);
    damaged[damaged.length - 9]! ^= 0xff;
    await assert.rejects(f.cache.tree('job_1', answer, async () => Readable.from([damaged])), (err) => isSlipwayError(err, 'ACTION_UNRESOLVED') && /arrived damaged/.test(err.message));
    await assert.rejects(f.cache.tree('job_1', answer, async () => Readable.from([bytes, Buffer.alloc(10)])), (err) => isSlipwayError(err, 'ACTION_UNRESOLVED') && /larger than the \d+ bytes the server announced/.test(err.message));
    const unsafe = await f.pack({ 'action.yml': 'name: a\n' }, (dir) => symlink('/etc', join(dir, 'out')));
    await assert.rejects(f.cache.tree('job_1', unsafe.answer, async () => Readable.from([unsafe.bytes])), (err) => isSlipwayError(err, 'ARCHIVE_UNSAFE') && /member "\.\/out" is a symbolic link to \/etc/.test(err.message));
    assert.deepEqual(await readdir(f.cacheDir), [], 'no tree and no temp dir left');
  } finally {
    await f.done();
  }
});

test("trees unused for the maximum age are pruned, never one a held job resolved; a pruned tree is downloaded again", async () => {
  const f = await fixture();
  try {
    const { bytes, answer } = await f.pack({ 'action.yml': 'name: a\n' });
    let downloads = 0;
    const download = async () => (downloads++, Readable.from([bytes]));
    const { tree } = await f.cache.tree('job_1', answer, download);
    const old = new Date(Date.now() - 2 * 3_600_000);
    await utimes(tree, old, old);
    assert.deepEqual(await f.cache.prune(3_600_000), [], 'job_1 still runs');
    f.cache.release('job_1');
    assert.deepEqual(await f.cache.prune(3_600_000), [sha]);
    assert.deepEqual(await readdir(f.cacheDir), []);
    assert.equal((await f.cache.tree('job_2', answer, download)).cached, false);
    assert.equal(downloads, 2);
  } finally {
    await f.done();
  }
});
