import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hashFiles } from './hash-files.ts';
import { commonAncestor, confinedTo, globFiles, searchPaths } from './glob.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'slipway-hash-')));
const ws = join(root, 'ws');
after(() => rmSync(root, { recursive: true, force: true }));
const files: Record<string, string> = {
  'package-lock.json': 'root lock',
  'a/package-lock.json': 'a lock',
  'a/b/package-lock.json': 'b lock',
  'a/b/c.txt': 'c',
  '.hidden/x.txt': 'x',
  'node_modules/m/package-lock.json': 'dep lock',
};
for (const [p, content] of Object.entries(files)) {
  mkdirSync(join(ws, p, '..'), { recursive: true });
  writeFileSync(join(ws, p), content);
}
writeFileSync(join(root, 'outside.txt'), 'outside');
symlinkSync(join(root, 'outside.txt'), join(ws, 'link-out.txt'));

/** The runner's algorithm spelled out: sha256 over the binary sha256 of each file, in order. */
function expected(contents: string[]): string {
  const h = createHash('sha256');
  for (const c of contents) h.update(createHash('sha256').update(c).digest());
  return h.digest('hex');
}

test('hashFiles: sha256 of the files’ sha256s, workspace-relative, depth-first by name', () => {
  assert.equal(hashFiles(ws, ['**/package-lock.json', '!node_modules/**']), expected(['b lock', 'a lock', 'root lock']));
  assert.equal(hashFiles(ws, ['package-lock.json']), expected(['root lock']));
  // A pattern matching a directory takes everything under it; dot files match.
  assert.equal(hashFiles(ws, ['a/b']), expected(['c', 'b lock']));
  assert.equal(hashFiles(ws, ['.hidden/*']), expected(['x']));
  // Several arguments are one pattern list; a later include wins over an earlier exclude.
  assert.equal(hashFiles(ws, ['**/package-lock.json', '!**/node_modules/**', 'node_modules/m/*.json']), expected(['b lock', 'a lock', 'dep lock', 'root lock']));
});

test('hashFiles: nothing matched, or only files outside the workspace, is the empty string', () => {
  assert.equal(hashFiles(ws, ['**/*.nothing']), '');
  assert.equal(hashFiles(ws, [join(root, 'outside.txt')]), '');
  assert.equal(hashFiles(ws, ['../outside.txt']), '');
  assert.equal(hashFiles(ws, ['link-out.txt']), '', 'a link in the workspace to a file outside it is not read');
});

test('glob: ?, [] and * stay within a segment; ** spans segments', () => {
  const rel = (pattern: string) => globFiles(pattern, ws).map((f) => f.slice(ws.length + 1));
  assert.deepEqual(rel('a/?/c.txt'), ['a/b/c.txt']);
  assert.deepEqual(rel('a/[ab]/*.txt'), ['a/b/c.txt']);
  assert.deepEqual(rel('*.json'), ['package-lock.json']);
  assert.deepEqual(rel('a/**/*.txt\n# comment\n\n'), ['a/b/c.txt']);
  assert.deepEqual(rel('link-*.txt'), ['link-out.txt']);
});

test('search paths and their common ancestor (upload-artifact roots)', () => {
  assert.deepEqual(searchPaths('a/b/*.txt\na/package-lock.json\n!a/x', ws), [join(ws, 'a/b'), join(ws, 'a/package-lock.json')]);
  assert.equal(commonAncestor([join(ws, 'a/b'), join(ws, 'a/package-lock.json')]), join(ws, 'a'));
  assert.equal(commonAncestor(['/x/y', '/z']), '/');
});

test('confinedTo keeps only files whose real path is under the roots (no path or link out)', () => {
  const files = globFiles(['**', join(root, 'outside.txt')], ws);
  assert.ok(files.includes(join(ws, 'link-out.txt')) && files.includes(join(root, 'outside.txt')));
  const kept = confinedTo(files, [ws]);
  assert.equal(kept.includes(join(ws, 'link-out.txt')), false);
  assert.equal(kept.includes(join(root, 'outside.txt')), false);
  assert.ok(kept.includes(join(ws, 'a/b/c.txt')));
});
