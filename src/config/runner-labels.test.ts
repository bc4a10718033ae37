import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { isSlipwayError } from '../core/errors.ts';

const load = (content: string) => {
  const d = mkdtempSync(join(tmpdir(), 'slipway-config-'));
  writeFileSync(join(d, 'config.yml'), content);
  return loadConfig({ dataDir: d, env: {} });
};

test('by default the usual labels run in the built-in job image, and the host executor is off', () => {
  const c = load('');
  for (const label of ['ubuntu-latest', 'ubuntu-24.04', 'ubuntu-22.04', 'self-hosted', 'linux', 'x64', 'slipway']) {
    assert.equal(c.runner.labels[label], 'builtin', label);
  }
  assert.equal(c.runner.host, false);
});

test('labels map to images (docker:// optional); the old list form still works, into the built-in image', () => {
  const c = load('runner:\n  labels:\n    ubuntu-latest: docker://node:24-bookworm\n    gpu: registry.example/cuda:12\n');
  assert.deepEqual({ ...c.runner.labels }, { 'ubuntu-latest': 'node:24-bookworm', gpu: 'registry.example/cuda:12' });
  assert.deepEqual({ ...load('runner:\n  labels: [self-hosted, big]\n').runner.labels }, { 'self-hosted': 'builtin', big: 'builtin' });
});

test('a label sent to the host executor needs runner.host: true, and the error names the key', () => {
  assert.throws(() => load('runner:\n  labels:\n    self-hosted: host\n'), (err) =>
    isSlipwayError(err, 'CONFIG_INVALID') && /runner\.labels\.self-hosted: runs jobs on the host, which needs runner\.host: true/.test(err.message));
  assert.equal(load('runner:\n  host: true\n  labels:\n    self-hosted: host\n').runner.labels['self-hosted'], 'host');
});

test('runner.queueTimeout: 24 h by default, a duration or seconds, anything else an error naming the key', () => {
  assert.equal(load('').runner.queueTimeout, 86_400_000);
  assert.equal(load('runner:\n  queueTimeout: 30m\n').runner.queueTimeout, 1_800_000);
  assert.equal(load('runner:\n  queueTimeout: 90\n').runner.queueTimeout, 90_000);
  assert.throws(() => load('runner:\n  queueTimeout: soon\n'), (err) => isSlipwayError(err) && /runner\.queueTimeout/.test(err.message) && /expected a duration/.test(err.message));
});
