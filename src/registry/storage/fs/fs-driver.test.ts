import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDriverContract } from '../driver.contract.ts';
import { createFsDriver } from './fs-driver.ts';

runDriverContract('fs', {
  create: async () => {
    const root = await mkdtemp(join(tmpdir(), 'slipway-fs-driver-'));
    return { driver: createFsDriver({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
  },
});
