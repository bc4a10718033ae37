import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServers } from './runner.ts';

void test('--server may be given more than once and as a comma list: servers in order, once each, without trailing slashes', () => {
  assert.deepEqual(parseServers(['http://a:1/', 'http://b:2,http://c:3', 'http://a:1']), ['http://a:1', 'http://b:2', 'http://c:3']);
  assert.deepEqual(parseServers('http://a:1'), ['http://a:1']);
  assert.deepEqual(parseServers(undefined), []);
});
