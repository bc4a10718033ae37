// The behaviour every StorageDriver must have. A driver's own test calls runDriverContract;
// a new driver is done when this passes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../core/errors.ts';
import type { StorageDriver } from './driver.ts';

export interface DriverFixture {
  driver: StorageDriver;
  cleanup: () => Promise<void>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield Buffer.from(p);
}

async function* failingAfter(part: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(part);
  throw new Error('source broke');
}

export function runDriverContract(name: string, options: { create: () => Promise<DriverFixture> }): void {
  void describe(`StorageDriver contract: ${name}`, () => {
    let fixture: DriverFixture;
    let d: StorageDriver;
    before(async () => {
      fixture = await options.create();
      d = fixture.driver;
    });
    after(async () => fixture.cleanup());

    void it('put/get/stat round-trip; missing keys are undefined', async () => {
      await d.put('meta/a/b', Buffer.from('hello'));
      assert.equal((await d.get('meta/a/b'))?.toString(), 'hello');
      assert.deepEqual(await d.stat('meta/a/b'), { size: 5 });
      assert.equal(await d.get('meta/a/missing'), undefined);
      assert.equal(await d.stat('meta/a/missing'), undefined);
      assert.equal(await d.stat('meta/a'), undefined, 'a key prefix is not an object');
      await d.put('meta/a/b', Buffer.from('replaced'));
      assert.equal((await d.get('meta/a/b'))?.toString(), 'replaced');
    });

    void it('reader streams an object; a missing one is BLOB_UNKNOWN', async () => {
      await d.put('r/one', Buffer.from('stream me'));
      assert.equal((await readAll(await d.reader('r/one'))).toString(), 'stream me');
      await assert.rejects(d.reader('r/none'), (err) => isSlipwayError(err, 'BLOB_UNKNOWN'));
    });

    void it('writeAtomic streams a source and returns its size', async () => {
      const size = await d.writeAtomic('w/ok', chunks('abc', 'defg'));
      assert.equal(size, 7);
      assert.equal((await d.get('w/ok'))?.toString(), 'abcdefg');
    });

    void it('writeAtomic with a failing source writes nothing and rethrows', async () => {
      await assert.rejects(d.writeAtomic('w/bad', failingAfter('partial')), /source broke/);
      assert.equal(await d.stat('w/bad'), undefined);
      await d.put('w/keep', Buffer.from('old'));
      await assert.rejects(d.writeAtomic('w/keep', failingAfter('new')), /source broke/);
      assert.equal((await d.get('w/keep'))?.toString(), 'old', 'the old object survives');
    });

    void it('writeAtomic keeps a large stream intact', async () => {
      const block = Buffer.alloc(1 << 20, 7);
      async function* big(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < 16; i++) yield block;
      }
      assert.equal(await d.writeAtomic('w/big', big()), 16 << 20);
      const h = createHash('sha256');
      for await (const c of await d.reader('w/big')) h.update(c as Buffer);
      const expected = createHash('sha256');
      for (let i = 0; i < 16; i++) expected.update(block);
      assert.equal(h.digest('hex'), expected.digest('hex'));
    });

    void it('list returns every key under a prefix, sorted, at any depth', async () => {
      await d.put('l/x/_tags/v2', Buffer.from('2'));
      await d.put('l/x/_tags/v1', Buffer.from('1'));
      await d.put('l/x/y/_tags/v1', Buffer.from('3'));
      await d.put('l/z', Buffer.from('4'));
      assert.deepEqual(await d.list('l/x/_tags/'), ['l/x/_tags/v1', 'l/x/_tags/v2']);
      assert.deepEqual(await d.list('l/x/'), ['l/x/_tags/v1', 'l/x/_tags/v2', 'l/x/y/_tags/v1']);
      assert.deepEqual(await d.list('l/x/_tags/v'), ['l/x/_tags/v1', 'l/x/_tags/v2']);
      assert.deepEqual(await d.list('l/nothing/'), []);
    });

    void it('delete removes an object and reports whether it existed', async () => {
      await d.put('del/k', Buffer.from('x'));
      assert.equal(await d.delete('del/k'), true);
      assert.equal(await d.stat('del/k'), undefined);
      assert.equal(await d.delete('del/k'), false);
    });

    void it('rejects keys that could escape the store', async () => {
      for (const bad of ['../x', 'a/../../x', '/abs', 'a//b', '', 'a/b/']) {
        await assert.rejects(d.put(bad, Buffer.from('x')), (err) => isSlipwayError(err, 'INTERNAL'), bad);
      }
    });

    void it('upload sessions: append in chunks, read back, commit to a key', async () => {
      const id = await d.createUpload();
      assert.match(id, /^[A-Za-z0-9-]+$/);
      assert.equal(await d.uploadSize(id), 0);
      assert.equal(await d.appendUpload(id, chunks('hello ')), 6);
      assert.equal(await d.appendUpload(id, chunks('wor', 'ld')), 11);
      assert.equal(await d.uploadSize(id), 11);
      assert.equal((await readAll(await d.uploadReader(id))).toString(), 'hello world');
      await d.commitUpload(id, 'blobs/committed');
      assert.equal((await d.get('blobs/committed'))?.toString(), 'hello world');
      await assert.rejects(d.uploadSize(id), (err) => isSlipwayError(err, 'BLOB_UPLOAD_UNKNOWN'));
    });

    void it('a failing append leaves the upload as it was', async () => {
      const id = await d.createUpload();
      await d.appendUpload(id, chunks('keep'));
      await assert.rejects(d.appendUpload(id, failingAfter('junk')), /source broke/);
      assert.equal(await d.uploadSize(id), 4);
      assert.equal(await d.appendUpload(id, chunks('!')), 5);
      assert.equal((await readAll(await d.uploadReader(id))).toString(), 'keep!');
      await d.abortUpload(id);
    });

    void it('abort drops an upload; unknown ids are BLOB_UPLOAD_UNKNOWN', async () => {
      const id = await d.createUpload();
      await d.appendUpload(id, chunks('x'));
      await d.abortUpload(id);
      await d.abortUpload(id);
      const unknown = (err: unknown): boolean => isSlipwayError(err, 'BLOB_UPLOAD_UNKNOWN');
      await assert.rejects(d.uploadSize(id), unknown);
      await assert.rejects(d.appendUpload(id, chunks('x')), unknown);
      await assert.rejects(d.uploadReader(id), unknown);
      await assert.rejects(d.commitUpload(id, 'blobs/never'), unknown);
      await assert.rejects(d.uploadSize('../../etc/passwd'), unknown);
      assert.equal(await d.stat('blobs/never'), undefined);
    });

    void it('concurrent writes to one key leave one whole value', async () => {
      const values = ['a'.repeat(100_000), 'b'.repeat(100_000), 'c'.repeat(100_000)];
      await Promise.all(values.map((v) => d.writeAtomic('race/k', chunks(v.slice(0, 50_000), v.slice(50_000)))));
      const got = (await d.get('race/k'))?.toString();
      assert.ok(got !== undefined && values.includes(got));
    });
  });
}
