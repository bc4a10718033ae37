// Range requests on blobs (RFC 9110 §14), so an interrupted pull resumes: 206 with
// Content-Range for one satisfiable range, 416 with `bytes */size` past the end, the whole
// blob for what a server may ignore; HEAD and GET advertise Accept-Ranges.
import assert from 'node:assert/strict';
import { readdir, readlink } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { parseRange } from '../../src/registry/routes-blobs.ts';
import { waitFor } from '../support/harness.ts';
import { OciPusher } from './oci-push.ts';
import type { TestRegistry } from './test-registry.ts';
import { startTestRegistry } from './test-registry.ts';

let t: TestRegistry;
let oci: OciPusher;
let url: string;
const content = Buffer.from('0123456789abcdefghij'); // 20 bytes

before(async () => {
  t = await startTestRegistry();
  oci = new OciPusher(t.baseUrl);
  url = `/v2/range/app/blobs/${(await oci.blob('range/app', content)).digest}`;
});
after(async () => t.close());

const get = (range?: string): Promise<Response> => oci.call(url, range === undefined ? {} : { headers: { Range: range } });

void describe('registry: Range on blob GET', () => {
  void it('HEAD and GET advertise Accept-Ranges: bytes', async () => {
    for (const method of ['HEAD', 'GET']) {
      const res = await oci.call(url, { method });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('accept-ranges'), 'bytes');
      assert.equal(res.headers.get('content-length'), '20');
    }
  });

  void it('answers 206 with the bytes and Content-Range for a first-last, open-ended or suffix range', async () => {
    const cases: Array<[string, string, string]> = [
      ['bytes=0-0', '0', 'bytes 0-0/20'],
      ['bytes=5-9', '56789', 'bytes 5-9/20'],
      ['bytes=15-', 'fghij', 'bytes 15-19/20'],
      ['bytes=-3', 'hij', 'bytes 17-19/20'],
      ['bytes=18-100', 'ij', 'bytes 18-19/20'],
      ['bytes=-50', content.toString(), 'bytes 0-19/20'],
    ];
    for (const [range, body, contentRange] of cases) {
      const res = await get(range);
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), contentRange, range);
      assert.equal(res.headers.get('content-length'), String(body.length), range);
      assert.equal(await res.text(), body, range);
    }
  });

  void it('answers 416 with bytes */size when the range starts past the end', async () => {
    for (const range of ['bytes=20-', 'bytes=25-30', 'bytes=-0']) {
      const res = await get(range);
      assert.equal(res.status, 416, range);
      assert.equal(res.headers.get('content-range'), 'bytes */20', range);
      assert.equal(await res.text(), '');
    }
  });

  void it('serves the whole blob for a range it may ignore (several ranges, other units, nonsense)', async () => {
    for (const range of ['bytes=0-1,5-6', 'items=0-1', 'bytes=9-3', 'bytes=x-y', 'bytes=-']) {
      const res = await get(range);
      assert.equal(res.status, 200, range);
      assert.equal(await res.text(), content.toString(), range);
    }
  });

  void it('resumes a large pull where it stopped, byte for byte', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const blobUrl = `/v2/range/app/blobs/${(await oci.blob('range/app', big)).digest}`;
    const cut = 1024 * 1024 + 5;
    const head = Buffer.from(await (await oci.call(blobUrl, { headers: { Range: `bytes=0-${cut - 1}` } })).arrayBuffer());
    const rest = await oci.call(blobUrl, { headers: { Range: `bytes=${cut}-` } });
    assert.equal(rest.status, 206);
    assert.deepEqual(Buffer.concat([head, Buffer.from(await rest.arrayBuffer())]), big);
  });

  void it('a client that drops a large pull midway leaves no open file and the blob still serves', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 5);
    const blobUrl = `/v2/range/app/blobs/${(await oci.blob('range/app', big)).digest}`;
    const aborter = new AbortController();
    const res = await oci.call(blobUrl, { signal: aborter.signal });
    const reader = res.body!.getReader();
    assert.ok(((await reader.read()).value?.length ?? 0) > 0);
    aborter.abort();
    await assert.rejects(reader.read());
    // The server notices the closed socket and closes the blob's file.
    const openBlobFiles = async (): Promise<string[]> => {
      const target = async (fd: string): Promise<string> => {
        try {
          return await readlink(`/proc/self/fd/${fd}`);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ''; // closed meanwhile
          throw err;
        }
      };
      const links = await Promise.all((await readdir('/proc/self/fd')).map(target));
      return links.filter((path) => path.startsWith(t.root));
    };
    await waitFor('the blob file to be closed', async () => ((await openBlobFiles()).length === 0 ? true : undefined), 10_000);
    assert.ok(Buffer.from(await (await oci.call(blobUrl)).arrayBuffer()).equals(big));
  });

  void it('parseRange clamps to the blob and knows an empty blob has no satisfiable range', () => {
    assert.deepEqual(parseRange('bytes=0-', 0), 'unsatisfiable');
    assert.deepEqual(parseRange('bytes=-1', 0), 'unsatisfiable');
    assert.deepEqual(parseRange(' bytes=1-2 ', 10), { start: 1, end: 2 });
    assert.equal(parseRange(undefined, 10), undefined);
  });

  void it('answered no request with an unexpected error', () => {
    assert.deepEqual(t.errors, []);
  });
});
