// `cache: npm|yarn|pnpm` of actions/setup-node (its src/cache-restore.ts, cache-save.ts):
// the package manager's own cache directory, asked of the package manager in the job
// (`npm config get cache` is `~/.npm`), restored under the key
// `node-cache-<OS>-<arch>-<manager>-<hash of the lockfiles>` (no restore-keys, as
// setup-node does) and saved by a post step after a successful job when it was a miss.
// The directory lies in the job (its container's home, or the host job user's), which the
// runner cannot see: the job itself packs and unpacks it (tar, with its privileges), and
// the runner only moves the archive through RUNNER_TEMP, checking it (tar-check.ts) on the
// way in and opening it without following links on the way out. Caches live in the same
// per-project store as actions/cache's (RunnerApi restoreCache/saveCache).
import { randomBytes } from 'node:crypto';
import { closeSync, constants, createReadStream, createWriteStream, fstatSync, openSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SlipwayError } from '../../core/errors.ts';
import { hashFiles } from '../hash-files.ts';
import { patternLines } from '../glob.ts';
import type { ActionContext } from './action.ts';
import { checkArchive } from './tar-check.ts';

interface PackageManager {
  /** Looked for at the workspace's root when `cache-dependency-path` is not given. */
  lockFiles: string[];
  /** Prints the cache directory (last line), run in the job's workspace. */
  cacheDirScript: string;
}

export const packageManagers: Readonly<Record<string, PackageManager>> = {
  npm: { lockFiles: ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock'], cacheDirScript: 'npm config get cache' },
  pnpm: { lockFiles: ['pnpm-lock.yaml'], cacheDirScript: 'pnpm store path --silent' },
  // Yarn 1 has `cache dir`; Yarn 2+ keeps it in the `cacheFolder` setting.
  yarn: { lockFiles: ['yarn.lock'], cacheDirScript: 'if yarn --version | grep -q "^1\\."; then yarn cache dir; else yarn config get cacheFolder; fi' },
};

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** The hash part of the key: of `cache-dependency-path`'s files, else of the first lockfile at the root. */
export function lockfileHash(workspace: string, manager: string, dependencyPath: string): string {
  const lines = patternLines(dependencyPath);
  if (lines.length > 0) {
    const hash = hashFiles(workspace, lines);
    if (!hash) throw new SlipwayError('WORKFLOW_INVALID', `actions/setup-node: cache-dependency-path "${lines.join(', ')}" matches no file in the workspace, unable to cache dependencies`);
    return hash;
  }
  const { lockFiles } = packageManagers[manager]!;
  const root = readdirSync(workspace);
  const lockFile = lockFiles.find((f) => root.includes(f));
  if (!lockFile) throw new SlipwayError('WORKFLOW_INVALID', `actions/setup-node: dependencies lock file is not found in ${workspace}. Supported file patterns: ${lockFiles.join(', ')}`);
  return hashFiles(workspace, [lockFile]);
}

export function cacheKey(manager: string, arch: string, hash: string): string {
  return `node-cache-Linux-${arch}-${manager}-${hash}`;
}

async function cacheDir(ctx: ActionContext, manager: string): Promise<string> {
  const r = await ctx.runInJob(packageManagers[manager]!.cacheDirScript);
  const dir = r.output.trim().split('\n').pop()?.trim() ?? '';
  if (r.exitCode !== 0 || !dir.startsWith('/')) {
    throw new SlipwayError('EXEC_FAILED', `actions/setup-node: could not get the ${manager} cache directory in the job (\`${packageManagers[manager]!.cacheDirScript}\`, exit ${r.exitCode}): ${r.output.trim().slice(-300)}`);
  }
  return dir;
}

/** Restores the cache (exact key) and registers the post step that saves it on a miss; returns the outputs. */
export async function restoreNodeCache(ctx: ActionContext, manager: string, arch: string): Promise<Record<string, string>> {
  if (!packageManagers[manager]) throw new SlipwayError('WORKFLOW_INVALID', `actions/setup-node: caching for '${manager}' is not supported (cache: npm, yarn or pnpm)`);
  const key = cacheKey(manager, arch, lockfileHash(ctx.paths.workspace, manager, ctx.inputs['cache-dependency-path'] ?? ''));
  const dir = await cacheDir(ctx, manager);
  const jobId = ctx.claimed.id;
  // The store also matches a key as a prefix (actions/cache's rule); setup-node then counts
  // a hit too, and saves under its own key after the job, since that one is not stored.
  const hit = await ctx.api.restoreCache(jobId, [key]);
  if (hit) {
    await unpackInJob(ctx, hit.archive, dir, hit.key);
    ctx.log.line(`Cache restored from key: ${hit.key}`);
  } else {
    ctx.log.line(`${manager} cache is not found`);
  }
  if (hit?.key !== key) ctx.addPostStep({ name: `Post ${ctx.stepName}`, condition: 'success', run: () => saveFromJob(ctx, dir, key) });
  return { 'cache-hit': String(Boolean(hit)), 'cache-primary-key': key, 'cache-matched-key': hit?.key ?? '' };
}

async function unpackInJob(ctx: ActionContext, archive: NodeJS.ReadableStream, dir: string, key: string): Promise<void> {
  const file = join(ctx.paths.temp, `.slipway-node-cache-${randomBytes(8).toString('hex')}.tgz`);
  try {
    // `wx`: a name the job planted (a link) is refused, not followed.
    await pipeline(archive as Readable, createWriteStream(file, { flags: 'wx', mode: 0o644 }));
    // Names are relative to the cache directory and must stay in it.
    await checkArchive(file, '/cache', ['/cache'], `actions/setup-node: the cache ${key}`);
    const r = await ctx.runInJob(`mkdir -p ${quote(dir)} && tar -xzf ${quote(file)} -C ${quote(dir)}`);
    if (r.exitCode !== 0) throw new SlipwayError('EXEC_FAILED', `actions/setup-node: unpacking the cache ${key} into ${dir} in the job failed (exit ${r.exitCode}): ${r.output.trim().slice(-500)}`);
  } finally {
    await rm(file, { force: true });
  }
}

async function saveFromJob(ctx: ActionContext, dir: string, key: string): Promise<void> {
  const file = join(ctx.paths.temp, `.slipway-node-cache-${randomBytes(8).toString('hex')}.tgz`);
  try {
    const r = await ctx.runInJob(`[ -d ${quote(dir)} ] || exit 3; tar -czf ${quote(file)} -C ${quote(dir)} .`);
    if (r.exitCode === 3) {
      ctx.log.line(`##[warning]Cache folder path is retrieved but doesn't exist on disk: ${dir}. This likely indicates that there are no dependencies to cache. Consider removing the cache step if it is not needed.`);
      return;
    }
    if (r.exitCode !== 0) throw new SlipwayError('EXEC_FAILED', `actions/setup-node: packing ${dir} in the job failed (exit ${r.exitCode}): ${r.output.trim().slice(-500)}`);
    // The job wrote the file and could have swapped it for a link (to a runner secret, say):
    // only a regular file is read, through a descriptor that did not follow one.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    let stream: Readable;
    try {
      if (!fstatSync(fd).isFile()) throw new SlipwayError('ARCHIVE_UNSAFE', `actions/setup-node: the cache archive ${file} is not a regular file; nothing was saved`);
      stream = createReadStream('', { fd });
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    await ctx.api.saveCache(ctx.claimed.id, key, stream);
    ctx.log.line(`Cache saved with the key: ${key}`);
  } finally {
    await rm(file, { force: true });
  }
}
