import { mkdtemp, readdir, rm } from 'node:fs/promises';
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
