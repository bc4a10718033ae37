// The failed-authentication limiter on a hand-driven clock: ten failures in a minute block
// the address for a minute, the next round for two, then four; a quiet spell forgives; other
// addresses are untouched; memory stays bounded whatever the number of addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailedAuthLimiter } from './failed-auth-limiter.ts';

test('ten failures a minute block the address, each further round twice as long', () => {
  let now = 1_000_000;
  const limiter = new FailedAuthLimiter({}, () => now);
  for (let i = 0; i < 9; i++) assert.equal(limiter.failed('10.0.0.1'), 0);
  assert.equal(limiter.retryAfter('10.0.0.1'), 0);
  assert.equal(limiter.failed('10.0.0.1'), 60, 'the tenth failure starts a block');
  assert.equal(limiter.retryAfter('10.0.0.1'), 60);
  assert.equal(limiter.retryAfter('10.0.0.2'), 0, 'another address may still try');
  now += 30_000;
  assert.equal(limiter.retryAfter('10.0.0.1'), 30);
  now += 30_001;
  assert.equal(limiter.retryAfter('10.0.0.1'), 0);
  for (let i = 0; i < 9; i++) limiter.failed('10.0.0.1');
  assert.equal(limiter.failed('10.0.0.1'), 120, 'back-off doubles');
  now += 120_001;
  for (let i = 0; i < 9; i++) limiter.failed('10.0.0.1');
  assert.equal(limiter.failed('10.0.0.1'), 240);
  // A long quiet spell: the strikes are forgiven.
  now += 24 * 3_600_000;
  for (let i = 0; i < 9; i++) limiter.failed('10.0.0.1');
  assert.equal(limiter.failed('10.0.0.1'), 60);
});

test('failures spread wider than the window never block', () => {
  let now = 0;
  const limiter = new FailedAuthLimiter({}, () => now);
  for (let i = 0; i < 50; i++) {
    assert.equal(limiter.failed('10.0.0.3'), 0);
    now += 7_000; // 8–9 a minute
  }
});

test('the back-off is capped and the table holds at most maxAddresses entries', () => {
  let now = 0;
  const limiter = new FailedAuthLimiter({ limit: 1, windowMs: 60_000, maxBlockMs: 300_000, maxAddresses: 100 }, () => now);
  const waits = [];
  for (let i = 0; i < 6; i++) {
    waits.push(limiter.failed('a'));
    now += limiter.retryAfter('a') * 1000 + 1;
  }
  assert.deepEqual(waits, [60, 120, 240, 300, 300, 300]);
  for (let i = 0; i < 10_000; i++) limiter.failed(`192.0.2.${i}`);
  assert.equal(limiter.size, 100);
});
