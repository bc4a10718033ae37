import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { withPrivateDir, writePrivateFile } from './private-temp.ts';

test('a private directory is 0700, its files 0600, and both are gone afterwards', async () => {
  let seen = '';
  const result = await withPrivateDir('test', async (dir) => {
    seen = dir;
    await writePrivateFile(join(dir, 'secret'), 'token');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'secret')).mode & 0o777, 0o600);
    return 'done';
  });
  assert.equal(result, 'done');
  assert.match(seen, /slipway-test-/);
  assert.equal(existsSync(seen), false);
});

test('the directory is removed when the command fails too', async () => {
  let seen = '';
  await assert.rejects(withPrivateDir('test', async (dir) => {
    seen = dir;
    await writeFile(join(dir, 'scratch'), 'x');
    throw new Error('tool failed');
  }), /tool failed/);
  assert.equal(existsSync(seen), false);
});

test('a private file never replaces an existing one', async () => {
  await withPrivateDir('test', async (dir) => {
    await writeFile(join(dir, 'taken'), 'x');
    await assert.rejects(writePrivateFile(join(dir, 'taken'), 'secret'), { code: 'EEXIST' });
  });
});
