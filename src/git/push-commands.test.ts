import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { encodePktLine, flushPkt, PktLineReader } from './pkt-line.ts';
import { PushCommandTee } from './push-commands.ts';

const a = 'a'.repeat(40);
const b = 'b'.repeat(40);
const zero = '0'.repeat(40);

function request(lines: string[], tail = 'PACK\x00\x00\x00\x02garbage-that-is-not-pkt-lines'): Buffer {
  return Buffer.concat([...lines.map((l) => encodePktLine(l)), flushPkt, Buffer.from(tail, 'latin1')]);
}

async function commandsOf(body: Buffer, encoding?: string, chunkSize = body.length): Promise<unknown> {
  const tee = new PushCommandTee(encoding);
  for (let i = 0; i < body.length; i += chunkSize) tee.write(body.subarray(i, i + chunkSize));
  tee.end();
  return tee.commands;
}

void test('pkt-line reader yields lines one at a time and stops where asked', () => {
  const reader = new PktLineReader();
  reader.push(Buffer.concat([encodePktLine('hi\n'), flushPkt, Buffer.from('PACK')]));
  assert.deepEqual(reader.next(), { kind: 'data', payload: Buffer.from('hi\n') });
  assert.deepEqual(reader.next(), { kind: 'flush' });
  assert.throws(() => reader.next(), RangeError);
});

void test('reads every command before the flush and ignores the pack after it', async () => {
  const body = request([`${zero} ${a} refs/heads/main\0report-status side-band-64k`, `${a} ${zero} refs/heads/old\n`]);
  const expected = [
    { before: zero, after: a, ref: 'refs/heads/main' },
    { before: a, after: zero, ref: 'refs/heads/old' },
  ];
  assert.deepEqual(await commandsOf(body), expected);
  assert.deepEqual(await commandsOf(body, undefined, 3), expected, 'split across tiny chunks');
  assert.deepEqual(await commandsOf(gzipSync(body), 'gzip', 7), expected, 'gzip-encoded');
});

void test('skips shallow lines and push-certificate framing', async () => {
  const body = request([
    `shallow ${b}\n`,
    'push-cert\0report-status\n',
    'certificate version 0.1\n',
    'pusher t <t@e> 1700000000 +0000\n',
    '\n',
    `${a} ${b} refs/heads/main\n`,
    '-----BEGIN PGP SIGNATURE-----\n',
    'push-cert-end\n',
  ]);
  assert.deepEqual(await commandsOf(body), [{ before: a, after: b, ref: 'refs/heads/main' }]);
});

void test('a body that is not pkt-lines, or a broken gzip stream, yields no commands', async () => {
  assert.deepEqual(await commandsOf(Buffer.from('hello world')), []);
  assert.deepEqual(await commandsOf(Buffer.from('not gzip at all'), 'gzip'), []);
  assert.deepEqual(await commandsOf(Buffer.alloc(0)), []);
});
