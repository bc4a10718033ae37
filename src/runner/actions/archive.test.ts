// createTarGz's stream keeps every byte even when it is read only after tar has exited (an
// upload that looks up its run first): Node would otherwise resume and discard the child's
// unread stdout on exit, and a cache or artifact was saved empty now and then.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createTarGz, extractTarGz } from './archive.ts';

const dir = mkdtempSync(join(tmpdir(), 'slipway-archive-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('an archive read after tar exited is whole', async () => {
  writeFileSync(join(dir, 'small.txt'), 'a few bytes\n');
  const archive = createTarGz(dir, ['small.txt']);
  await archive.done; // tar has exited; nobody has read its output yet
  await new Promise((resolve) => setTimeout(resolve, 50));
  const out = mkdtempSync(join(dir, 'out-'));
  await extractTarGz(archive.stream, out);
  assert.equal(readFileSync(join(out, 'small.txt'), 'utf8'), 'a few bytes\n');
});
