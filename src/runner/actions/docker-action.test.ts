// The content hash a Docker action's image is tagged with: the same files give the same
// tag (built once), and any change a build could see gives a new one.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { directoryHash } from './docker-action.ts';

const root = mkdtempSync(join(tmpdir(), 'slipway-action-hash-'));
after(() => rmSync(root, { recursive: true, force: true }));

function action(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), 'FROM localhost/slipway/busybox:latest\nCOPY . /a\n');
  writeFileSync(join(dir, 'lib/run.sh'), 'echo hi\n');
  return dir;
}

test('equal directories hash equal, wherever they are; .git is left out', async () => {
  const a = action('a');
  const b = action('b');
  mkdirSync(join(b, '.git'));
  writeFileSync(join(b, '.git/HEAD'), 'ref: refs/heads/main\n');
  assert.equal(await directoryHash(a), await directoryHash(b));
  assert.match(await directoryHash(a), /^[0-9a-f]{64}$/);
});

test('a changed, added, renamed or re-moded file, or a link, changes the hash', async () => {
  const base = await directoryHash(action('base'));
  const changes: [string, (dir: string) => void][] = [
    ['content', (d) => writeFileSync(join(d, 'lib/run.sh'), 'echo bye\n')],
    ['new file', (d) => writeFileSync(join(d, 'extra'), '')],
    ['rename', (d) => { rmSync(join(d, 'lib/run.sh')); writeFileSync(join(d, 'lib/start.sh'), 'echo hi\n'); }],
    ['mode', (d) => chmodSync(join(d, 'lib/run.sh'), 0o755)],
    ['link', (d) => symlinkSync('run.sh', join(d, 'lib/alias'))],
  ];
  for (const [what, change] of changes) {
    const dir = action(`changed-${what.replace(' ', '-')}`);
    change(dir);
    assert.notEqual(await directoryHash(dir), base, what);
  }
});
