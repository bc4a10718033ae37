import test from 'node:test';
import assert from 'node:assert/strict';
import { Masker, maskSecrets, maskVariants, minDerivedLength } from './mask.ts';

const secret = 'hunter2-Sup3r/s3cret+key';
const b64 = (s: string) => Buffer.from(s).toString('base64');

test('the value, and its base64 at every alignment, in both alphabets, with or without padding', () => {
  const m = new Masker([secret]);
  assert.equal(m.mask(`token=${secret}.`), 'token=***.');
  for (const prefix of ['', 'u:', 'us:', 'user:', 'user:x']) {
    const encoded = b64(`${prefix}${secret}`);
    const masked = m.mask(`auth ${encoded} end`);
    assert.match(masked, /\*\*\*/, `prefix ${JSON.stringify(prefix)}: ${masked}`);
    // Left visible: the prefix's own digits (and at most the two bytes of the secret that share
    // them), and at most the last few digits, which also depend on what follows.
    const [before, after] = masked.replace('auth ', '').replace(' end', '').split('***');
    assert.ok(before!.length <= Math.ceil(((prefix.length + 2) * 4) / 3), `prefix ${JSON.stringify(prefix)}: ${masked}`);
    assert.ok(after!.length <= 4, `prefix ${JSON.stringify(prefix)}: ${masked}`);
    const url = encoded.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
    assert.match(m.mask(url), /\*\*\*/, `url-safe, prefix ${JSON.stringify(prefix)}`);
  }
});

test('base64 of the value followed by more text (echo $SECRET | base64) is masked', () => {
  const m = new Masker([secret]);
  for (const suffix of ['\n', '\n\n', 'xyz']) {
    const masked = m.mask(b64(`${secret}${suffix}`));
    assert.match(masked, /^\*\*\*.{0,4}$/, `suffix ${JSON.stringify(suffix)}: ${masked}`);
  }
});

test('URL-encoded and JSON-escaped forms', () => {
  const value = 'p@ss w0rd/"quoted"\\back';
  const m = new Masker([value]);
  assert.equal(m.mask(`https://x/?q=${encodeURIComponent(value)}&a=1`), 'https://x/?q=***&a=1');
  assert.equal(m.mask(JSON.stringify({ password: value })), '{"password":"***"}');
  assert.equal(m.mask(value), '***');
});

test('a multi-line value is masked whole and line by line', () => {
  const m = new Masker(['-----BEGIN KEY-----\nAAAA\n-----END KEY-----']);
  assert.equal(m.mask('line: AAAA'), 'line: ***');
  assert.equal(m.mask('-----BEGIN KEY-----\nAAAA\n-----END KEY-----'), '***');
});

test('short values: the value is always masked (as GitHub does); derived forms only from minDerivedLength', () => {
  assert.deepEqual(maskVariants('ab'), ['ab']);
  assert.equal(maskSecrets('a b ab', ['ab']), 'a b ***');
  assert.ok(maskVariants('abcdefgh').slice(1).every((v) => v.length >= minDerivedLength));
  assert.deepEqual(maskVariants(''), []);
});

test('longest first: a value that contains another is masked whole', () => {
  assert.equal(maskSecrets('token=abcdef and abc', ['abc', 'abcdef', '']), 'token=*** and ***');
});

test('pendingLength: the end of a text that may be the start of a secret', () => {
  const m = new Masker(['supersecret']);
  assert.equal(m.pendingLength('hello super'), 5);
  assert.equal(m.pendingLength('hello'), 0);
  assert.equal(m.pendingLength('supersecret'), 0, 'a whole secret is not pending: mask hides it');
  assert.equal(new Masker().pendingLength('anything'), 0);
});
