import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { isSlipwayError } from '../core/errors.ts';

function dir(content?: string): string {
  const d = mkdtempSync(join(tmpdir(), 'slipway-config-'));
  if (content !== undefined) writeFileSync(join(d, 'config.yml'), content);
  return d;
}

test('defaults apply when there is no file', () => {
  const c = loadConfig({ dataDir: dir(), env: {} });
  assert.equal(c.port, 8080);
  assert.equal(c.runner.concurrency, 2);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.runner));
});

test('file values, then environment variables, then overrides', () => {
  const d = dir('port: 9000\nrunner:\n  concurrency: 3\n');
  assert.equal(loadConfig({ dataDir: d, env: {} }).port, 9000);
  assert.equal(loadConfig({ dataDir: d, env: { SLIPWAY_PORT: '9100' } }).port, 9100);
  assert.equal(loadConfig({ dataDir: d, env: { SLIPWAY_PORT: '9100' }, overrides: { port: 9200 } }).port, 9200);
  assert.equal(loadConfig({ dataDir: d, env: {} }).runner.concurrency, 3);
});

test('unknown keys name the key and the file', () => {
  const d = dir('prot: 9000\nrunner:\n  concurency: 2\n');
  assert.throws(
    () => loadConfig({ dataDir: d, env: {} }),
    (err) => isSlipwayError(err, 'CONFIG_INVALID') && /config\.yml: prot: unknown key/.test(err.message) && /runner\.concurency: unknown key/.test(err.message),
  );
});

test('bad values name the variable they came from', () => {
  assert.throws(
    () => loadConfig({ dataDir: dir(), env: { SLIPWAY_PORT: 'eighty' } }),
    (err) => isSlipwayError(err, 'CONFIG_INVALID') && /SLIPWAY_PORT: port/.test(err.message),
  );
});

test('failedAuth: ten failures a minute by default; the file may change both, nothing else', () => {
  assert.deepEqual(loadConfig({ dataDir: dir(''), env: {} }).failedAuth, { limit: 10, windowSeconds: 60 });
  assert.deepEqual(loadConfig({ dataDir: dir('failedAuth:\n  limit: 50\n  windowSeconds: 300\n'), env: {} }).failedAuth, { limit: 50, windowSeconds: 300 });
  assert.throws(() => loadConfig({ dataDir: dir('failedAuth:\n  limt: 5\n'), env: {} }), /failedAuth\.limt: unknown key/);
});

test('registry: gc, retention and upload defaults; durations, off, and SLIPWAY_REGISTRY_*', () => {
  const defaults = loadConfig({ dataDir: dir(), env: {} }).registry;
  assert.deepEqual(defaults, { gc: { interval: 86_400_000, grace: 3_600_000 }, retention: { enabled: true, keepPerBranch: 10, keepDays: 30 }, uploads: { maxAge: 86_400_000 } });
  const set = loadConfig({ dataDir: dir('registry:\n  gc: { interval: off, grace: 5m }\n  retention: { keepPerBranch: 3 }\n'), env: { SLIPWAY_REGISTRY_UPLOADS_MAX_AGE: '2' } }).registry;
  assert.deepEqual([set.gc.interval, set.gc.grace, set.retention.keepPerBranch, set.uploads.maxAge], [0, 300_000, 3, 2000]);
  assert.throws(
    () => loadConfig({ dataDir: dir('registry:\n  uploads: { maxAge: off }\n'), env: {} }),
    (err) => isSlipwayError(err, 'CONFIG_INVALID') && /registry\.uploads\.maxAge: expected a duration/.test(err.message),
  );
});

test('database.url: SQLite when unset; a postgres:// URL from the file or SLIPWAY_DATABASE_URL; anything else is refused without echoing it', () => {
  assert.equal(loadConfig({ dataDir: dir(), env: {} }).database.url, undefined);
  assert.equal(loadConfig({ dataDir: dir('database:\n  url: postgres://slipway@db:5432/slipway\n'), env: {} }).database.url, 'postgres://slipway@db:5432/slipway');
  assert.equal(loadConfig({ dataDir: dir(), env: { SLIPWAY_DATABASE_URL: 'postgresql://u:pw@127.0.0.1/s' } }).database.url, 'postgresql://u:pw@127.0.0.1/s');
  assert.throws(
    () => loadConfig({ dataDir: dir(), env: { SLIPWAY_DATABASE_URL: 'mysql://u:hunter2@db/s' } }),
    (err) => isSlipwayError(err, 'CONFIG_INVALID') && /SLIPWAY_DATABASE_URL: database\.url: expected a postgres:\/\/ URL/.test(err.message) && !err.message.includes('hunter2'),
  );
});
