// The short memory in front of per-request store reads: a value is kept its TTL and no
// longer, the oldest goes when full, nothing undefined or refused by `keep` is kept, and a
// read that overlapped a drop is answered but not kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TtlCache } from './ttl-cache.ts';

function counted(values: Map<string, string>) {
  const reads: string[] = [];
  return { reads, load: (key: string) => async () => (reads.push(key), values.get(key)) };
}

test('a value is read once within its TTL and again after it', async () => {
  let at = 1000;
  const cache = new TtlCache<string, string>({ ttlMs: 5000, max: 10, now: () => at });
  const source = counted(new Map([['a', 'A']]));
  assert.equal(await cache.get('a', source.load('a')), 'A');
  at += 4999;
  assert.equal(await cache.get('a', source.load('a')), 'A');
  assert.deepEqual(source.reads, ['a'], 'kept within the TTL');
  at += 1;
  assert.equal(await cache.get('a', source.load('a')), 'A');
  assert.deepEqual(source.reads, ['a', 'a'], 'read again once the TTL passed');
});

test('undefined and what `keep` refuses are read every time; the oldest value goes when full', async () => {
  const cache = new TtlCache<string, string>({ ttlMs: 5000, max: 2 });
  const source = counted(new Map([['a', 'A'], ['b', 'B'], ['c', 'C'], ['revoked', 'R']]));
  for (let i = 0; i < 2; i++) {
    assert.equal(await cache.get('missing', source.load('missing')), undefined);
    assert.equal(await cache.get('revoked', source.load('revoked'), (v) => v !== 'R'), 'R');
  }
  assert.deepEqual(source.reads, ['missing', 'revoked', 'missing', 'revoked']);
  for (const key of ['a', 'b', 'c']) await cache.get(key, source.load(key));
  assert.equal(cache.size, 2);
  source.reads.length = 0;
  for (const key of ['c', 'b', 'a']) await cache.get(key, source.load(key));
  assert.deepEqual(source.reads, ['a'], 'a, the oldest, went when c came');
});

test('drop forgets at once what it matches, and a read under way during it is answered but not kept', async () => {
  const cache = new TtlCache<string, string>({ ttlMs: 5000, max: 10 });
  const values = new Map([['a', 'A'], ['b', 'B']]);
  const source = counted(values);
  await cache.get('a', source.load('a'));
  await cache.get('b', source.load('b'));
  cache.drop((key) => key === 'a');
  values.set('a', 'A2');
  assert.equal(await cache.get('a', source.load('a')), 'A2', 'dropped: read again');
  assert.equal(await cache.get('b', source.load('b')), 'B', 'not matched: still kept');

  // A read that saw the old value while a change was dropping it must not put it back.
  let release!: () => void;
  const slow = cache.get('c', () => new Promise<string>((resolve) => (release = () => resolve('old'))));
  cache.drop((key) => key === 'c');
  release();
  assert.equal(await slow, 'old');
  assert.equal(await cache.get('c', async () => 'new'), 'new', 'the overlapping read was not kept');
});
