import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyTree, removeTree } from './file-tree.ts';

/**
 * Runs `check` in a fresh temp folder holding `tree/` (nested folders, a script, more entries
 * than one slice, a link inside and a link to `outside/`, which holds `keep.txt`).
 */
async function withTree(check: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'file-tree-'));
  try {
    const root = join(dir, 'tree');
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'outside/keep.txt'), 'keep');
    mkdirSync(join(root, 'a/b/c'), { recursive: true });
    writeFileSync(join(root, 'top.txt'), 'top');
    writeFileSync(join(root, 'a/b/c/deep.txt'), 'deep');
    writeFileSync(join(root, 'a/run.sh'), '#!/bin/sh\n');
    chmodSync(join(root, 'a/run.sh'), 0o755);
    // More entries than one slice, so the copy and the removal yield in between.
    for (let i = 0; i < 150; i++) writeFileSync(join(root, 'a/b', `f${i}`), String(i));
    symlinkSync('../top.txt', join(root, 'a/link'));
    symlinkSync(join(dir, 'outside'), join(root, 'a/outside'));
    await check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('copyTree copies folders, files with their modes and links as links', () =>
  withTree(async (dir) => {
    mkdirSync(join(dir, 'dst'));
    await copyTree(join(dir, 'tree'), join(dir, 'dst'));
    assert.equal(readFileSync(join(dir, 'dst/a/b/c/deep.txt'), 'utf8'), 'deep');
    assert.equal(readFileSync(join(dir, 'dst/a/b/f149'), 'utf8'), '149');
    assert.equal(statSync(join(dir, 'dst/a/run.sh')).mode & 0o777, 0o755);
    assert.equal(readlinkSync(join(dir, 'dst/a/link')), '../top.txt');
    assert.ok(lstatSync(join(dir, 'dst/a/outside')).isSymbolicLink(), 'a link to a folder is copied as the link, not the folder');
  }));

test('removeTree removes everything under the root and never follows a link out of it', () =>
  withTree(async (dir) => {
    await removeTree(join(dir, 'tree'));
    assert.equal(existsSync(join(dir, 'tree')), false);
    assert.equal(readFileSync(join(dir, 'outside/keep.txt'), 'utf8'), 'keep', 'the linked folder and its file are untouched');
    await removeTree(join(dir, 'tree')); // gone already: no error
    writeFileSync(join(dir, 'file'), 'x');
    await removeTree(join(dir, 'file'));
    assert.equal(existsSync(join(dir, 'file')), false, 'a root that is a file is removed');
  }));

test('removeTree lets the event loop turn while it works through a big tree', () =>
  withTree(async (dir) => {
    // Other work queued meanwhile (a heartbeat, a log flush): here, an immediate that queues itself again.
    let turns = 0;
    let other: NodeJS.Immediate | undefined;
    const spin = () => {
      turns++;
      other = setImmediate(spin);
    };
    other = setImmediate(spin);
    await removeTree(join(dir, 'tree'));
    clearImmediate(other);
    assert.ok(turns >= 2, `other work ran during the removal (${turns} turns)`);
  }));
