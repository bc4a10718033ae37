import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runDriverContract } from '../driver.contract.ts';
import { createFsDriver } from './fs-driver.ts';

runDriverContract('fs', {
  create: async () => {
    const root = await mkdtemp(join(tmpdir(), 'slipway-fs-driver-'));
    return {
      driver: createFsDriver({ root }),
      reopen: () => createFsDriver({ root }),
      // Every file outside objects/ (whose files are the driver's keys): temp files, uploads.
      leftovers: async () =>
        (await readdir(root, { recursive: true, withFileTypes: true }))
          .filter((e) => e.isFile())
          .map((e) => relative(root, join(e.parentPath, e.name)))
          .filter((path) => !path.startsWith(`objects/`)),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  },
});

test('fs: removePartialWrites removes temp files a killed write left, not younger ones', async () => {
  const root = await mkdtemp(join(tmpdir(), 'slipway-fs-driver-'));
  try {
    const driver = createFsDriver({ root });
    await mkdir(join(root, 'tmp'), { recursive: true });
    await writeFile(join(root, 'tmp', '.tmp-dead'), Buffer.alloc(1000));
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(root, 'tmp', '.tmp-dead'), hourAgo, hourAgo);
    await writeFile(join(root, 'tmp', '.tmp-live'), Buffer.alloc(10));
    assert.equal(await driver.removePartialWrites(Date.now() - 60_000), 1000);
    assert.deepEqual(await readdir(join(root, 'tmp')), ['.tmp-live']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
