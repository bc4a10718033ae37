// The behaviour every StorageDriver must have. A driver's own test calls runDriverContract;
// a new driver is done when this passes. As in Distribution's driver testsuites, every case
// removes what it wrote, and after each one the driver must hold nothing: no keys, and no
// temp files or upload sessions left by a failed or finished operation.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { after, afterEach, before, describe, it } from 'node:test';
import { isSlipwayError } from '../core/errors.ts';
import type { StorageDriver } from './driver.ts';

interface DriverFixture {
  driver: StorageDriver;
  /** Another driver on the same storage, as after a restart. */
  reopen: () => StorageDriver;
  /** What the storage holds beyond its keys (temp files, upload sessions), for the check after each case. */
  leftovers: () => Promise<string[]>;
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
    afterEach(async () => {
      const keys = await d.list('');
      const strays = await fixture.leftovers();
      // Empty the store first, so one careless case does not fail every later one.
      for (const key of keys) await d.delete(key);
      assert.deepEqual(keys, [], 'keys left behind');
      assert.deepEqual(strays, [], 'temp files or upload sessions left behind');
    });
    const remove = async (...keys: string[]): Promise<void> => {
      for (const key of keys) assert.equal(await d.delete(key), true, key);
    };

    void it('put/get/stat round-trip; missing keys are undefined', async () => {
      await d.put('meta/a/b', Buffer.from('hello'));
      assert.equal((await d.get('meta/a/b'))?.toString(), 'hello');
      const before = Date.now();
      const info = await d.stat('meta/a/b');
      assert.equal(info?.size, 5);
      // Filesystems may keep coarser times than Date.now(): allow a few ms either side.
      assert.ok(Math.abs((info?.modified ?? 0) - before) < 2000, `modified ${info?.modified} is about now (${before})`);
      assert.equal(await d.get('meta/a/missing'), undefined);
      assert.equal(await d.stat('meta/a/missing'), undefined);
      assert.equal(await d.stat('meta/a'), undefined, 'a key prefix is not an object');
      await d.put('meta/a/b', Buffer.from('replaced'));
      assert.equal((await d.get('meta/a/b'))?.toString(), 'replaced');
      await remove('meta/a/b');
    });

    void it('reader streams an object or a byte range of it; a missing one is BLOB_UNKNOWN', async () => {
      await d.put('r/one', Buffer.from('stream me'));
      assert.equal((await readAll(await d.reader('r/one'))).toString(), 'stream me');
      await assert.rejects(d.reader('r/none'), (err) => isSlipwayError(err, 'BLOB_UNKNOWN'));
      assert.equal((await readAll(await d.reader('r/one', { start: 2, end: 5 }))).toString(), 'ream');
      assert.equal((await readAll(await d.reader('r/one', { start: 8, end: 8 }))).toString(), 'e');
      await remove('r/one');
    });

    void it('writeAtomic streams a source and returns its size', async () => {
      const size = await d.writeAtomic('w/ok', chunks('abc', 'defg'));
      assert.equal(size, 7);
      assert.equal((await d.get('w/ok'))?.toString(), 'abcdefg');
      await remove('w/ok');
    });

    void it('removePartialWrites leaves objects and writes begun after the cut-off alone', async () => {
      await d.put('pw/done', Buffer.from('whole'));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      async function* slow(): AsyncGenerator<Uint8Array> {
        yield Buffer.from('first ');
        await gate;
        yield Buffer.from('second');
      }
      const writing = d.writeAtomic('pw/slow', slow());
      assert.equal(await d.removePartialWrites(Date.now() - 60_000), 0);
      release();
      assert.equal(await writing, 12);
      assert.equal((await d.get('pw/slow'))?.toString(), 'first second');
      assert.equal((await d.get('pw/done'))?.toString(), 'whole');
      await remove('pw/done', 'pw/slow');
    });

    void it('writeAtomic with a failing source writes nothing and rethrows', async () => {
      await assert.rejects(d.writeAtomic('w/bad', failingAfter('partial')), /source broke/);
      assert.equal(await d.stat('w/bad'), undefined);
      await d.put('w/keep', Buffer.from('old'));
      await assert.rejects(d.writeAtomic('w/keep', failingAfter('new')), /source broke/);
      assert.equal((await d.get('w/keep'))?.toString(), 'old', 'the old object survives');
      await remove('w/keep');
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
      await remove('w/big');
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
      await remove('l/x/_tags/v1', 'l/x/_tags/v2', 'l/x/y/_tags/v1', 'l/z');
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
      await remove('blobs/committed');
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
      await remove('race/k');
    });

    void it('every operation on a key rejects one that could escape the store', async () => {
      const internal = (err: unknown): boolean => isSlipwayError(err, 'INTERNAL');
      const id = await d.createUpload();
      for (const bad of ['../x', 'a/../../x', '/abs', 'a//b']) {
        await assert.rejects(d.stat(bad), internal, `stat ${bad}`);
        await assert.rejects(d.get(bad), internal, `get ${bad}`);
        await assert.rejects(d.reader(bad), internal, `reader ${bad}`);
        await assert.rejects(d.delete(bad), internal, `delete ${bad}`);
        await assert.rejects(d.writeAtomic(bad, chunks('x')), internal, `writeAtomic ${bad}`);
        await assert.rejects(d.commitUpload(id, bad), internal, `commitUpload ${bad}`);
      }
      for (const bad of ['../', '/abs/', 'a//', 'a/../b']) await assert.rejects(d.list(bad), internal, `list ${bad}`);
      await d.abortUpload(id);
    });

    void it('a key prefix is not an object for get, reader or delete', async () => {
      await d.put('dir/child', Buffer.from('x'));
      assert.equal(await d.get('dir'), undefined);
      await assert.rejects(d.reader('dir'), (err) => isSlipwayError(err, 'BLOB_UNKNOWN'));
      assert.equal(await d.delete('dir'), false);
      await remove('dir/child');
    });

    void it('commitUpload replaces an existing object', async () => {
      await d.put('blobs/again', Buffer.from('first'));
      const id = await d.createUpload();
      await d.appendUpload(id, chunks('second'));
      await d.commitUpload(id, 'blobs/again');
      assert.equal((await d.get('blobs/again'))?.toString(), 'second');
      await remove('blobs/again');
    });

    void it('upload sessions are independent of each other', async () => {
      const [a, b] = [await d.createUpload(), await d.createUpload()];
      assert.notEqual(a, b);
      await d.appendUpload(a, chunks('aaa'));
      await d.appendUpload(b, chunks('b'));
      assert.equal(await d.uploadSize(a), 3);
      assert.equal((await readAll(await d.uploadReader(b))).toString(), 'b');
      await d.abortUpload(a);
      assert.equal(await d.uploadSize(b), 1, 'aborting one leaves the other');
      await d.abortUpload(b);
    });

    void it('a second driver on the same storage sees objects and open uploads', async () => {
      await d.put('kept/one', Buffer.from('survives'));
      const id = await d.createUpload();
      await d.appendUpload(id, chunks('half'));
      const again = fixture.reopen();
      assert.equal((await again.get('kept/one'))?.toString(), 'survives');
      assert.equal(await again.uploadSize(id), 4);
      assert.equal(await again.appendUpload(id, chunks(' more')), 9);
      await again.commitUpload(id, 'kept/two');
      assert.equal((await d.get('kept/two'))?.toString(), 'half more');
      await remove('kept/one', 'kept/two');
    });
  });
}
