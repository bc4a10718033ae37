import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CgiHeadParser } from './cgi-response.ts';

void test('parses Status and headers, and hands back the body bytes after the blank line', () => {
  const parser = new CgiHeadParser();
  assert.equal(parser.push(Buffer.from('Status: 404 Not Found\r\nContent-Type: text/plain\r\n')), undefined);
  const parsed = parser.push(Buffer.from('Set-Cookie: a\r\nSet-Cookie: b\r\n\r\nbody\r\n\r\nmore'));
  assert.ok(parsed);
  assert.equal(parsed.head.status, 404);
  assert.equal(parsed.head.statusMessage, 'Not Found');
  assert.deepEqual(parsed.head.headers.get('content-type'), ['text/plain']);
  assert.deepEqual(parsed.head.headers.get('set-cookie'), ['a', 'b']);
  assert.equal(parsed.rest.toString(), 'body\r\n\r\nmore');
});

void test('defaults to 200 and accepts bare LF line ends', () => {
  const parsed = new CgiHeadParser().push(Buffer.from('Content-Type: application/x-git-upload-pack-advertisement\n\n0000'));
  assert.equal(parsed?.head.status, 200);
  assert.equal(parsed?.rest.toString(), '0000');
});

void test('rejects malformed and oversized heads', () => {
  assert.throws(() => new CgiHeadParser().push(Buffer.from('no colon here\r\n\r\n')));
  assert.throws(() => new CgiHeadParser().push(Buffer.from('Status: soon\r\n\r\n')));
  assert.throws(() => new CgiHeadParser().push(Buffer.alloc(70 * 1024, 'x')));
});
