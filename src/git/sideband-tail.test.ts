import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SidebandTail } from './sideband-tail.ts';
import { encodePktLine, flushPkt } from './pkt-line.ts';

const band = (n: number, text: string) => encodePktLine(Buffer.concat([Buffer.from([n]), Buffer.from(text)]));

test('holds the final flush-pkt back and writes band-2 lines before it', () => {
  const response = Buffer.concat([band(1, '000eunpack ok\n0019ok refs/heads/main\n0000'), flushPkt]);
  const tail = new SidebandTail();
  // Split mid-packet and inside the flush: the output is the same.
  const out = [tail.push(response.subarray(0, 7)), tail.push(response.subarray(7, response.length - 2)), tail.push(response.subarray(response.length - 2))];
  assert.deepEqual(Buffer.concat(out), response.subarray(0, response.length - 4));
  assert.deepEqual(tail.finish(['run hello#3 queued: http://x/']), Buffer.concat([band(2, 'run hello#3 queued: http://x/\n'), flushPkt]));
  assert.deepEqual(tail.finish([]), Buffer.alloc(0), 'once');
});

test('a flush-pkt followed by more is handed on; without side-band nothing is added', () => {
  const plain = Buffer.concat([encodePktLine('unpack ok\n'), flushPkt]);
  const tail = new SidebandTail();
  assert.deepEqual(Buffer.concat([tail.push(plain), tail.finish(['ignored'])]), plain);
  const two = new SidebandTail();
  assert.deepEqual(two.push(Buffer.concat([flushPkt, band(2, 'x')])), Buffer.concat([flushPkt, band(2, 'x')]));
});

test('what is not pkt-lines passes through untouched', () => {
  const tail = new SidebandTail();
  const text = Buffer.from('fatal: not a pkt-line at all');
  assert.deepEqual(Buffer.concat([tail.push(text), tail.finish(['x'])]), text);
});
