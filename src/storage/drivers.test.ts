// Every driver folder beside driver.ts runs the contract: a new driver (s3/, …) cannot land
// without it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const here = dirname(new URL(import.meta.url).pathname);

test('every storage driver folder has a test that runs runDriverContract', () => {
  const folders = readdirSync(here, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  assert.ok(folders.length >= 2, `driver folders: ${folders.join(', ')}`);
  const without = folders.filter((folder) =>
    !readdirSync(join(here, folder))
      .filter((f) => f.endsWith('.test.ts'))
      .some((f) => /\brunDriverContract\(/.test(readFileSync(join(here, folder, f), 'utf8'))),
  );
  assert.deepEqual(without, []);
});
