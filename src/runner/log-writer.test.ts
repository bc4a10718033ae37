import test from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { EventEmitter } from 'node:events';
import { LogWriter } from './log-writer.ts';

/** A writer whose chunks are collected; `sent` resolves at each upload. */
function collecting(options: { flushMs?: number; maxChunk?: number } = {}) {
  const chunks: string[] = [];
  const uploads = new EventEmitter();
  const log = new LogWriter({
    startSeq: 0,
    ...options,
    send: async (_seq, text) => {
      chunks.push(text);
      uploads.emit('sent');
    },
  });
  return { log, chunks, sent: () => once(uploads, 'sent') };
}

test('a secret split across two chunks is masked: the possible start of a secret waits for the rest', async () => {
  const { log, chunks, sent } = collecting({ flushMs: 1 });
  log.addMask('correct-horse-battery');
  log.write('password is correct-hor');
  await sent();
  assert.deepEqual(chunks, ['password is ']);
  log.write('se-battery, ok\n');
  await log.flush();
  assert.equal(chunks.join(''), 'password is ***, ok\n');
});

test('a chunk forced out by its size keeps the possible start of a secret too', async () => {
  const { log, chunks } = collecting({ maxChunk: 16, flushMs: 60_000 });
  log.addMask('s3cr3t-value');
  log.write('0123456789abcdef s3cr3t');
  log.write('-value\n');
  await log.flush();
  assert.equal(chunks.join(''), '0123456789abcdef ***\n');
  assert.ok(chunks.every((c) => !c.includes('s3cr3t')), JSON.stringify(chunks));
});

test('the final flush ships what was held back, masked', async () => {
  const { log, chunks } = collecting({ flushMs: 60_000 });
  log.addMask('topsecret');
  log.write('ends with top');
  await log.flush();
  assert.deepEqual(chunks, ['ends with top']);
});

test('encodings of a registered secret are masked in the log', async () => {
  const { log, chunks } = collecting({ flushMs: 60_000 });
  log.addMask('hunter2-hunter2');
  log.line(`b64 ${Buffer.from('hunter2-hunter2').toString('base64')}`);
  log.line(`url ${encodeURIComponent('hunter2-hunter2')}`);
  await log.flush();
  assert.equal(chunks.join(''), 'b64 ***\nurl ***\n');
});

test('an upload refused between flushes (the timer or the size shipped it) is reported by the next flush, never left unhandled', async () => {
  let refuse = true;
  const sent: string[] = [];
  let tried!: () => void;
  const attempted = new Promise<void>((resolve) => (tried = resolve));
  const log = new LogWriter({
    startSeq: 0, flushMs: 1, maxChunk: 8,
    send: async (_seq, text) => {
      tried();
      if (refuse) throw new Error('401 revoked');
      sent.push(text);
    },
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  try {
    log.write('longer than a chunk\n');
    await attempted;
    await new Promise((resolve) => setImmediate(resolve));
    await assert.rejects(log.flush(), /401 revoked/);
    refuse = false;
    log.write('later\n');
    await log.flush();
    assert.deepEqual(sent, ['later\n']);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('takeRest waits for the queued chunks and answers the masked rest as the next chunk, taken out of the writer', async () => {
  const { log, chunks, sent } = collecting({ flushMs: 1 });
  log.addMask('hunter2');
  log.write('first\n');
  await sent();
  log.write('then hunter');
  log.write('2 and the end\n');
  assert.deepEqual(await log.takeRest(), { seq: 1, text: 'then *** and the end\n' });
  assert.deepEqual(chunks, ['first\n'], 'the rest was not sent');
  assert.equal(await log.takeRest(), undefined, 'nothing is left');
});

test("carry hands the written output to a request made anyway, keeping a possible secret's start; a failed request queues it as any chunk", async () => {
  const { log, chunks } = collecting({ flushMs: 60_000 });
  log.addMask('hunter2');
  log.write('set up\nhunt');
  const carried = await log.carry(async (chunk) => chunk);
  assert.deepEqual(carried, { seq: 0, text: 'set up\n' }, 'the tail that could start a secret waits');
  assert.equal(await log.carry(async (chunk) => chunk), undefined, 'nothing whole written since');
  log.write('er2 was typed\n');
  await assert.rejects(log.carry(async () => Promise.reject(new Error('server away'))), /server away/);
  await log.flush();
  assert.deepEqual(chunks, ['*** was typed\n'], "the failed request's chunk went on its own, masked, nothing lost");
  assert.deepEqual(await log.carry(async (chunk) => chunk), undefined);
});
