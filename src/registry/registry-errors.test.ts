// How the registry answers and reports failures, in-process (no server): unexpected errors
// are logged with their stack and answered 500 in the spec's error format (distribution-spec
// §Error codes); the client's own mistakes are answered and not logged.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { SlipwayError } from '../core/errors.ts';
import { createRegistry } from './registry.ts';
import type { StorageDriver } from '../storage/driver.ts';
import { createMemoryDriver } from '../storage/memory/memory-driver.ts';

const digest = `sha256:${'a'.repeat(64)}`;

/** Just what the registry touches of a request and its response. */
async function exchange(storage: StorageDriver, method: string, path: string): Promise<{ status: number; body: unknown; logged: string[] }> {
  const logged: string[] = [];
  const registry = createRegistry({ storage, log: (message) => logged.push(message) });
  const req = Object.assign(Readable.from([]), { method, url: path, headers: {} });
  let status = 0;
  let body = '';
  const res = {
    headersSent: false,
    setHeader: () => res,
    writeHead(code: number) {
      status = code;
      res.headersSent = true;
      return res;
    },
    end(bytes?: Buffer) {
      body = bytes?.toString() ?? '';
      return res;
    },
    destroy: () => assert.fail('the registry gave up on the response'),
  };
  await registry.handle(req as unknown as IncomingMessage, res as unknown as ServerResponse, new URL(path, 'http://registry.invalid'));
  return { status, body: JSON.parse(body) as unknown, logged };
}

function failingStat(err: Error): StorageDriver {
  return { ...createMemoryDriver(), stat: () => Promise.reject(err) };
}

void describe('registry errors', () => {
  void it('an unexpected error is logged with its stack and answered 500 INTERNAL', async () => {
    const r = await exchange(failingStat(new Error('disk on fire')), 'GET', `/v2/app/blobs/${digest}`);
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { errors: [{ code: 'INTERNAL', message: 'internal error', detail: null }] });
    assert.equal(r.logged.length, 1);
    assert.match(r.logged[0]!, new RegExp(`^registry: GET /v2/app/blobs/${digest}: Error: disk on fire\\n\\s+at `));
  });

  void it('a driver\'s INTERNAL error is logged with its cause', async () => {
    const cause = Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    const r = await exchange(failingStat(new SlipwayError('INTERNAL', 'storage (fs): stat: EIO', { cause })), 'GET', `/v2/app/blobs/${digest}`);
    assert.equal(r.status, 500);
    assert.equal(r.logged.length, 1);
    assert.match(r.logged[0]!, /storage \(fs\): stat: EIO/);
    assert.match(r.logged[0]!, /\[cause\]: Error: EIO: i\/o error/);
  });

  void it('spec errors are answered as they are and not logged', async () => {
    const r = await exchange(createMemoryDriver(), 'GET', `/v2/app/blobs/${digest}`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest } }] });
    assert.deepEqual(r.logged, []);
  });
});
