import { runDriverContract } from '../driver.contract.ts';
import type { MemoryStorage } from './memory-driver.ts';
import { createMemoryDriver } from './memory-driver.ts';

runDriverContract('memory', {
  create: async () => {
    const storage: MemoryStorage = { objects: new Map(), uploads: new Map() };
    return {
      driver: createMemoryDriver(storage),
      reopen: () => createMemoryDriver(storage),
      leftovers: async () => [...storage.uploads.keys()].map((id) => `upload ${id}`),
      cleanup: async () => {},
    };
  },
});
