// What the executor contract suites share: finding a step's processes, polling, a bare job.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { JobSetup } from '../executor.ts';

/** Host pids whose command line is exactly `sleep <seconds>` (processes in containers included). */
export async function sleepers(seconds: number): Promise<number[]> {
  const wanted = `sleep\0${seconds}\0`;
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.endsWith(wanted) && /(^|\/)sleep\0/.test(cmdline)) pids.push(Number(entry));
  }
  return pids;
}

/** Polls until `check` holds, failing after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A sleep duration nobody else uses, to find this test's processes in /proc. */
export const uniqueSeconds = () => 1_000_000 + randomInt(8_000_000);

/** A job with nothing but a workspace. */
export const bareJob = (workspace: string): JobSetup => ({ jobId: `contract-${randomInt(1e9)}`, workspace, volumes: [], services: {}, onOutput: () => {} });
