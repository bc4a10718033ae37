import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { isZombieStat, procPids, readProcFile } from './proc-fs.ts';

void test('procPids lists this process; readProcFile reads its files and answers undefined for a process that is gone', async () => {
  assert.ok((await procPids()).includes(process.pid));
  const stat = (await readProcFile(process.pid, 'stat'))!.toString('utf8');
  assert.match(stat, new RegExp(`^${process.pid} \\(`));
  assert.equal(isZombieStat(stat), false);
  const child = spawn('true');
  const pid = child.pid!;
  await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(await readProcFile(pid, 'stat'), undefined);
  // Anything but "gone or not ours" is an error, not an empty answer.
  await assert.rejects(readProcFile(process.pid, 'stat/inside'), (err: NodeJS.ErrnoException) => err.code === 'ENOTDIR');
});
