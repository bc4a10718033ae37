// Restores a cache archive the way the job itself would: the archive is saved in the job's
// RUNNER_TEMP, its headers are checked (tar-check.ts: nothing absolute, no `..` or link
// out of the job's directories, no devices), and then `tar` unpacks it inside the job — in
// its container, or as its unprivileged user on the host executor — never as root on the
// host, where a link the job planted in the workspace would point the write anywhere.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SlipwayError } from '../../core/errors.ts';
import type { ActionContext } from './action.ts';
import { checkArchive } from './tar-check.ts';

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export async function restoreInJob(ctx: ActionContext, archive: NodeJS.ReadableStream, key: string): Promise<void> {
  const { workspace, temp } = ctx.paths;
  const file = join(temp, `.slipway-cache-${randomBytes(8).toString('hex')}.tgz`);
  try {
    // `wx`: a name the job may have planted (a link) is refused, not followed.
    await pipeline(archive as Readable, createWriteStream(file, { flags: 'wx', mode: 0o644 }));
    await checkArchive(file, workspace, [workspace, temp], `actions/cache: the cache ${key}`);
    // GNU tar needs -P for the `../temp/...` names the save step writes for RUNNER_TEMP
    // (checked above); busybox tar has no -P and strips `../` instead.
    const script = `if tar --version 2>/dev/null | grep -q GNU; then tar -xzPf ${quote(file)} -C ${quote(workspace)}; else tar -xzf ${quote(file)} -C ${quote(workspace)}; fi`;
    const result = await ctx.runInJob(script);
    if (result.exitCode !== 0) throw new SlipwayError('EXEC_FAILED', `actions/cache: unpacking the cache ${key} in the job failed (exit ${result.exitCode}): ${result.output.trim().slice(-500)}`);
  } finally {
    await rm(file, { force: true });
  }
}
