import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, LogCap, truncationMarker } from './log-cap.ts';

void test('the cap admits chunks up to it, keeps the whole lines of the one that passes it, then the marker, and drops the rest', () => {
  const cap = new LogCap(10);
  assert.equal(cap.admit('1234\n'), '1234\n');
  assert.equal(cap.admit('12\n'), '12\n');
  assert.equal(cap.admit('a\nbcd\n'), `a\n${truncationMarker(10)}`);
  assert.equal(cap.admit('x'), undefined);
  assert.equal(cap.admit(''), undefined);
  // A chunk that passes the cap inside its first line keeps nothing of it.
  assert.equal(new LogCap(4).admit('123456\n'), truncationMarker(4));
});

void test('a chunk the store already had does not count twice; bytes, not characters, count', () => {
  const cap = new LogCap(6);
  assert.equal(cap.admit('abcd'), 'abcd');
  cap.notStored('abcd');
  assert.equal(cap.admit('abcd'), 'abcd');
  assert.equal(cap.admit('é'), 'é'); // 2 bytes: 6 in all
  assert.equal(cap.admit('a'), truncationMarker(6));
  // A cut never splits a character: it falls after a newline.
  assert.equal(new LogCap(3).admit('a\néé\n'), `a\n${truncationMarker(3)}`);
});

void test('the marker names the cap in the unit it was set in', () => {
  assert.equal(formatBytes(100_000_000), '100 MB');
  assert.equal(formatBytes(64_000), '64 kB');
  assert.equal(formatBytes(2048), '2048 bytes');
  assert.match(truncationMarker(100_000_000), /^##\[warning\]log truncated: this job wrote more than 100 MB; further output is dropped/);
});
