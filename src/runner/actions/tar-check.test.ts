// checkArchive against archives made by GNU tar: every way out of the job's directories is
// refused with the member named; long (GNU `L`) and pax names are read in full.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkArchive } from './tar-check.ts';

const tmp = mkdtempSync(join(tmpdir(), 'slipway-tar-check-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const craft = join(tmp, 'craft');
mkdirSync(craft);
writeFileSync(join(craft, 'f'), 'pwned');
symlinkSync('/etc', join(craft, 'out'));
symlinkSync('../temp', join(craft, 'in'));
execFileSync('mknod', [join(craft, 'dev'), 'c', '1', '3']);
const long = 'd'.repeat(150);
mkdirSync(join(craft, long));
writeFileSync(join(craft, long, 'f'), 'long');

let n = 0;
function archive(...args: string[]): string {
  const file = join(tmp, `${n++}.tgz`);
  execFileSync('tar', ['-czf', file, '-C', craft, ...args]);
  return file;
}
const check = (file: string) => checkArchive(file, '/job/ws', ['/job/ws', '/job/temp'], 'the cache k');

test('refused: absolute, .. out, a link out, a write through a link of the archive, a device', async () => {
  const cases: [string, string[], RegExp][] = [
    ['absolute', ['-P', join(craft, 'f')], /member ".*\/craft\/f" has an absolute path/],
    ['dotdot', ['-P', '--transform', 's|^f$|../../etc/cron.d/x|', 'f'], /member "\.\.\/\.\.\/etc\/cron\.d\/x" leaves the job's directories \(it would be \/etc\/cron\.d\/x\)/],
    ['link out', ['out'], /member "out" is a symbolic link to \/etc, outside/],
    ['write through', ['--transform', 's|^f$|in/x|', 'in', 'f'], /member "in\/x" is written through \/job\/ws\/in, a link the archive made/],
    ['device', ['dev'], /member "dev" is a character device/],
    ['pax name', ['--format=pax', '-P', '--transform', 's|^f$|../../x|', 'f'], /member "\.\.\/\.\.\/x" leaves/],
  ];
  for (const [name, args, message] of cases) {
    await assert.rejects(check(archive(...args)), (e: Error & { code?: string }) => e.code === 'ARCHIVE_UNSAFE' && message.test(e.message) && /^the cache k: .*nothing was restored$/.test(e.message), name);
  }
});

test('accepted: files, a link inside, RUNNER_TEMP by ../temp, a long GNU name', async () => {
  assert.equal(await check(archive('f', 'in')), 2);
  assert.equal(await check(archive('-P', '--transform', 's|^f$|../temp/tool/f|', 'f')), 1);
  assert.equal(await check(archive(`${long}/f`)), 1);
});
