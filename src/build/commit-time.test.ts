import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runOrThrow } from '../exec/run.ts';
import { commitTime, declaresSourceDateEpoch } from './commit-time.ts';

const dir = await mkdtemp(join(tmpdir(), 'slipway-commit-time-'));
after(() => rm(dir, { recursive: true, force: true }));

test('the commit time is the committer date of the commit, whatever the clock says', async () => {
  const env = { ...process.env, HOME: dir, GIT_COMMITTER_DATE: '@1700000000 +0000', GIT_AUTHOR_DATE: '@1600000000 +0000' };
  const git = (...args: string[]) => runOrThrow(['git', '-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { env });
  await git('init', '-q');
  await writeFile(join(dir, 'f'), 'x');
  await git('add', 'f');
  await git('commit', '-qm', 'one');
  const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
  assert.deepEqual(await commitTime(dir, sha), { seconds: 1_700_000_000 });
  const unknown = await commitTime(dir, '0'.repeat(40));
  assert.ok('unknown' in unknown && unknown.unknown.includes('0'.repeat(40)));
});

test('SOURCE_DATE_EPOCH is passed only to a Containerfile that declares it', () => {
  assert.equal(declaresSourceDateEpoch('FROM x\nARG SOURCE_DATE_EPOCH\n'), true);
  assert.equal(declaresSourceDateEpoch('FROM x\n  arg SOURCE_DATE_EPOCH=0\n'), true);
  assert.equal(declaresSourceDateEpoch('FROM x\nARG SOURCE_DATE_EPOCHS\nENV SOURCE_DATE_EPOCH=1\n'), false);
});
