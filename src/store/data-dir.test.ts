import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { restrictDataDir } from './data-dir.ts';

const mode = (path: string) => statSync(path).mode & 0o777;

test('the data dir and its credentials become private whatever their modes were', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-datadir-'));
  chmodSync(dir, 0o777);
  for (const f of ['slipway.db', 'slipway.db-wal', 'admin.token', 'secrets.key', 'runner.token']) writeFileSync(join(dir, f), 'x', { mode: 0o666 });
  mkdirSync(join(dir, 'ssh/sub'), { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, 'ssh/id_ed25519'), 'k', { mode: 0o644 });
  writeFileSync(join(dir, 'ssh/sub/known_hosts'), 'h', { mode: 0o644 });
  const outside = join(dir, '..', `${'outside'}-${process.pid}`);
  writeFileSync(outside, '', { mode: 0o644 });
  symlinkSync(outside, join(dir, 'ssh/link'));

  const changed = restrictDataDir(dir);

  assert.equal(mode(dir), 0o700);
  for (const f of ['slipway.db', 'slipway.db-wal', 'admin.token', 'secrets.key', 'runner.token', 'ssh/id_ed25519', 'ssh/sub/known_hosts']) assert.equal(mode(join(dir, f)), 0o600, f);
  assert.equal(mode(join(dir, 'ssh')), 0o700);
  assert.equal(mode(join(dir, 'ssh/sub')), 0o700);
  assert.equal(mode(outside), 0o644, 'a symlink is not followed out of the data dir');
  assert.equal(changed.length, 10);
  assert.deepEqual(restrictDataDir(dir), [], 'a second start changes nothing');
});
