import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeAtomically } from './atomic-write.ts';

void describe('writeAtomically', () => {
  let root: string;
  let tmp: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'slipway-atomic-'));
    tmp = join(root, 'tmp');
  });
  after(async () => rm(root, { recursive: true, force: true }));

  void it('builds at a temp path and renames it onto the target, creating its parents', async () => {
    const target = join(root, 'a', 'b', 'file');
    const result = await writeAtomically(target, tmp, async (path) => {
      await writeFile(path, 'new');
      return 3;
    });
    assert.equal(result, 3);
    assert.equal(await readFile(target, 'utf8'), 'new');
    assert.deepEqual(await readdir(tmp), []);
  });

  void it('a failing build leaves the old target and no temp file, and rethrows', async () => {
    const target = join(root, 'kept');
    await writeFile(target, 'old');
    await assert.rejects(
      writeAtomically(target, tmp, async (path) => {
        await writeFile(path, 'half');
        throw new Error('build broke');
      }),
      /build broke/,
    );
    assert.equal(await readFile(target, 'utf8'), 'old');
    assert.deepEqual(await readdir(tmp), []);
  });

  void it('a directory that loses the rename to an existing one is removed', async () => {
    const target = join(root, 'repo');
    await mkdir(target);
    await writeFile(join(target, 'HEAD'), 'winner');
    await assert.rejects(
      writeAtomically(target, tmp, async (path) => {
        await mkdir(path);
        await writeFile(join(path, 'HEAD'), 'loser');
      }),
      (err: NodeJS.ErrnoException) => err.code === 'ENOTEMPTY' || err.code === 'EEXIST',
    );
    assert.equal(await readFile(join(target, 'HEAD'), 'utf8'), 'winner');
    assert.deepEqual(await readdir(tmp), []);
  });
});
