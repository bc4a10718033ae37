import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chmod, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckoutCache } from './checkout-cache.ts';

const sha = (n: number) => String(n).padStart(40, 'a');

void test('a commit is fetched once per project, then copied whole (modes, links) into each workspace; the oldest go past `keep`', async () => {
  const root = await mkdtemp(join(tmpdir(), 'slipway-checkouts-'));
  try {
    const cache = new CheckoutCache(join(root, 'cache'), 2);
    const fetched: string[] = [];
    const fetch = (id: string) => async (dir: string) => {
      fetched.push(id);
      await mkdir(join(dir, '.git'));
      await writeFile(join(dir, '.git/HEAD'), id);
      await writeFile(join(dir, 'run.sh'), '#!/bin/sh\n');
      await chmod(join(dir, 'run.sh'), 0o755);
      await symlink('run.sh', join(dir, 'link'));
    };
    const workspace = async (n: number) => {
      const dir = join(root, `ws-${n}`);
      await mkdir(dir);
      return dir;
    };
    const one = await workspace(1);
    const two = await workspace(2);
    assert.equal(await cache.checkout('p', sha(1), one, fetch('p1')), false, 'the first job fetches');
    assert.equal(await cache.checkout('p', sha(1), two, fetch('p1 again')), true, 'the next one copies');
    assert.deepEqual(fetched, ['p1']);
    assert.equal(await readFile(join(two, '.git/HEAD'), 'utf8'), 'p1');
    assert.equal((await stat(join(two, 'run.sh'))).mode & 0o777, 0o755);
    assert.equal(await readlink(join(two, 'link')), 'run.sh', 'a link keeps its own target');
    assert.equal(await cache.checkout('q', sha(1), await workspace(3), fetch('q1')), false, 'another project fetches for itself');
    assert.equal(await cache.checkout('p', sha(2), await workspace(4), fetch('p2')), false);
    assert.deepEqual(fetched, ['p1', 'q1', 'p2']);
    assert.equal((await readdir(join(root, 'cache'))).length, 2, 'only the two most recently used are kept');
    assert.equal((await stat(join(root, 'cache'))).mode & 0o777, 0o700, "the runner's own");
    assert.equal(await cache.checkout('main', 'main', await workspace(5), fetch('branch')), false, 'a name that is not a commit id is never cached');
    assert.equal(await cache.checkout('main', 'main', await workspace(6), fetch('branch')), false);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

void test('a failed fetch leaves nothing behind, and the next job fetches again', async () => {
  const root = await mkdtemp(join(tmpdir(), 'slipway-checkouts-'));
  try {
    const cache = new CheckoutCache(join(root, 'cache'));
    await assert.rejects(cache.checkout('p', sha(1), root, async () => { throw new Error('fetch refused'); }), /fetch refused/);
    assert.deepEqual(await readdir(join(root, 'cache')), []);
    let n = 0;
    await cache.checkout('p', sha(1), await mkdtemp(join(root, 'ws-')), async (dir) => { n++; await writeFile(join(dir, 'f'), 'x'); });
    assert.equal(n, 1);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

void test('a commit another job cached while this one fetched it: the first one in is kept, nothing left over', async () => {
  const root = await mkdtemp(join(tmpdir(), 'slipway-checkouts-'));
  try {
    const cache = new CheckoutCache(join(root, 'cache'));
    const other = await mkdtemp(join(root, 'ws-'));
    const mine = await mkdtemp(join(root, 'ws-'));
    // While this job fetches, the other job fetches the same commit and moves it in first
    // (the rename of this one then meets a folder that is not empty: ENOTEMPTY).
    await cache.checkout('p', sha(1), mine, async (dir) => {
      await writeFile(join(dir, 'id'), 'mine');
      assert.equal(await cache.checkout('p', sha(1), other, async (d) => writeFile(join(d, 'id'), 'other')), false);
    });
    assert.equal(await readFile(join(mine, 'id'), 'utf8'), 'other', 'the entry moved in first is what both got');
    assert.equal(await readFile(join(other, 'id'), 'utf8'), 'other');
    assert.deepEqual(await readdir(join(root, 'cache')), [`p@${sha(1)}`], 'no half-made folder left');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
