import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { jobTempRoot, removeJobLeftovers } from './job-leftovers.ts';

void test("start-up removes job directories and the installation's executor temp folders, nothing else", () => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-leftovers-test-'));
  try {
    const workDir = join(root, 'work');
    for (const d of ['job_abc/workspace', 'job_def/temp', 'tool-cache/node']) mkdirSync(join(workDir, d), { recursive: true });
    const tempRoot = jobTempRoot(`test-${process.pid}-${Date.now()}`);
    assert.equal(statSync(tempRoot).mode & 0o777, 0o711);
    for (const d of ['slipway-steps-x1', 'slipway-job-y2', 'slipway-job-1-home-z3']) mkdirSync(join(tempRoot, d));
    writeFileSync(join(tempRoot, 'slipway-steps-x1', 'step-1.sh'), 'echo hi\n');
    const other = mkdtempSync(join(tmpdir(), 'slipway-steps-'));
    try {
      assert.equal(removeJobLeftovers({ workDir, tempRoot }), 5);
      assert.deepEqual(readdirSync(workDir), ['tool-cache']);
      assert.deepEqual(readdirSync(tempRoot), []);
      // Another installation's (or an older version's) folder in TMPDIR is not this start-up's to remove.
      assert.ok(statSync(other).isDirectory());
    } finally {
      rmSync(other, { recursive: true, force: true });
      rmSync(tempRoot, { recursive: true, force: true });
    }
    assert.equal(removeJobLeftovers({ workDir: join(root, 'absent'), tempRoot: join(root, 'absent-too') }), 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
