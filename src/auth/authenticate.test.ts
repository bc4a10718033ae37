import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenFromHeaders } from './authenticate.ts';

test('basic auth with any user name carries the token as password', () => {
  const h = `Basic ${Buffer.from('anyone:slp_abc:def').toString('base64')}`;
  assert.equal(tokenFromHeaders({ authorization: h }), 'slp_abc:def');
});

test('bearer token', () => {
  assert.equal(tokenFromHeaders({ authorization: 'Bearer slp_xyz' }), 'slp_xyz');
});

test('missing or malformed headers give no token', () => {
  assert.equal(tokenFromHeaders({}), undefined);
  assert.equal(tokenFromHeaders({ authorization: 'Basic' }), undefined);
  assert.equal(tokenFromHeaders({ authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` }), undefined);
  assert.equal(tokenFromHeaders({ authorization: 'Digest abc' }), undefined);
});
