import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lstatIfExists } from './lstat-if-exists.ts';

test('a present file has its stats; an absent one, or one under a file, is undefined', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-lstat-'));
  try {
    await writeFile(join(dir, 'f'), 'x');
    assert.equal((await lstatIfExists(join(dir, 'f')))?.isFile(), true);
    assert.equal(await lstatIfExists(join(dir, 'missing')), undefined);
    assert.equal(await lstatIfExists(join(dir, 'f', 'under-a-file')), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
