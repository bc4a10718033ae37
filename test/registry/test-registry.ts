// Test helper: a registry on a real HTTP server at 127.0.0.1:<random>, storing in a temp dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from '../../src/registry/registry.ts';
import { createRegistry } from '../../src/registry/registry.ts';
import type { StorageDriver } from '../../src/storage/driver.ts';
import { createFsDriver } from '../../src/storage/fs/fs-driver.ts';

export interface TestRegistry {
  registry: Registry;
  storage: StorageDriver;
  /** e.g. `http://127.0.0.1:40123` */
  baseUrl: string;
  /** e.g. `127.0.0.1:40123` */
  host: string;
  /** What the registry logged: one message per unexpected error. */
  errors: string[];
  /** The storage directory. */
  root: string;
  close(): Promise<void>;
}

/** With `root`, serves existing storage (and leaves it in place on close). */
export async function startTestRegistry(options: { root?: string } = {}): Promise<TestRegistry> {
  const root = options.root ?? (await mkdtemp(join(tmpdir(), 'slipway-registry-')));
  const storage = createFsDriver({ root });
  const errors: string[] = [];
  const registry = createRegistry({ storage, log: (message) => errors.push(message) });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    if (!url.pathname.startsWith('/v2')) {
      res.writeHead(404).end();
      return;
    }
    void registry.handle(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    registry,
    storage,
    baseUrl: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    errors,
    root,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (options.root === undefined) await rm(root, { recursive: true, force: true });
    },
  };
}

/** The first error code of a distribution-spec error body (`{"errors":[{"code",…}]}`). */
export async function errorCode(res: Response): Promise<string | undefined> {
  return ((await res.json()) as { errors: Array<{ code: string }> }).errors[0]?.code;
}
