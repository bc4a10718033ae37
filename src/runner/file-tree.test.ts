import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyTree, removeTree } from './file-tree.ts';

function sample(root: string, outside: string): void {
  mkdirSync(join(root, 'a/b/c'), { recursive: true });
  writeFileSync(join(root, 'top.txt'), 'top');
  writeFileSync(join(root, 'a/b/c/deep.txt'), 'deep');
  writeFileSync(join(root, 'a/run.sh'), '#!/bin/sh\n');
  chmodSync(join(root, 'a/run.sh'), 0o755);
  // More entries than one slice, so the copy and the removal yield in between.
  for (let i = 0; i < 150; i++) writeFileSync(join(root, 'a/b', `f${i}`), String(i));
  symlinkSync('../top.txt', join(root, 'a/link'));
  symlinkSync(outside, join(root, 'a/outside'));
}

test('copyTree copies folders, files with their modes and links as links', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'file-tree-'));
  try {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep.txt'), 'keep');
    sample(join(dir, 'src'), outside);
    mkdirSync(join(dir, 'dst'));
    await copyTree(join(dir, 'src'), join(dir, 'dst'));
    assert.equal(readFileSync(join(dir, 'dst/a/b/c/deep.txt'), 'utf8'), 'deep');
    assert.equal(readFileSync(join(dir, 'dst/a/b/f149'), 'utf8'), '149');
    assert.equal(statSync(join(dir, 'dst/a/run.sh')).mode & 0o777, 0o755);
    assert.equal(readlinkSync(join(dir, 'dst/a/link')), '../top.txt');
    assert.ok(lstatSync(join(dir, 'dst/a/outside')).isSymbolicLink(), 'a link to a folder is copied as the link, not the folder');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('removeTree removes everything under the root and never follows a link out of it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'file-tree-'));
  try {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep.txt'), 'keep');
    sample(join(dir, 'job'), outside);
    await removeTree(join(dir, 'job'));
    assert.equal(existsSync(join(dir, 'job')), false);
    assert.equal(readFileSync(join(outside, 'keep.txt'), 'utf8'), 'keep', 'the linked folder and its file are untouched');
    await removeTree(join(dir, 'job')); // gone already: no error
    writeFileSync(join(dir, 'file'), 'x');
    await removeTree(join(dir, 'file'));
    assert.equal(existsSync(join(dir, 'file')), false, 'a root that is a file is removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('removeTree lets the event loop turn while it works through a big tree', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'file-tree-'));
  try {
    sample(join(dir, 'job'), dir);
    // Other work queued meanwhile (a heartbeat, a log flush): here, an immediate that queues itself again.
    let turns = 0;
    let other: NodeJS.Immediate | undefined;
    const spin = () => {
      turns++;
      other = setImmediate(spin);
    };
    other = setImmediate(spin);
    await removeTree(join(dir, 'job'));
    clearImmediate(other);
    assert.ok(turns >= 2, `other work ran during the removal (${turns} turns)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
