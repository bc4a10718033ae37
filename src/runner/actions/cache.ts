// `actions/cache@v4` (github.com/actions/cache): restores the first cache that matches
// `key`, then each of `restore-keys` (exact, else the newest with that prefix), and saves
// `path` under `key` in a post step when the job succeeded and `key` was not an exact hit.
// Output `cache-hit`: 'true' on an exact hit, 'false' on a restore-key hit, '' on a miss.
// Archive names are relative to the workspace, as the action does; a restore unpacks inside
// the job and only within its workspace and RUNNER_TEMP (cache-restore.ts).
import { relative } from 'node:path';
import type { BuiltInAction } from './action.ts';
import { createTarGz, sendArchive } from './archive.ts';
import { restoreInJob } from './cache-restore.ts';
import { confinedTo, globFiles, patternLines } from '../glob.ts';
import { SlipwayError } from '../../core/errors.ts';

/** actions/cache rejects keys longer than this or containing a comma. */
const maxKeyLength = 512;

export const cache: BuiltInAction = async (ctx) => {
  const key = (ctx.inputs.key ?? '').trim();
  const paths = patternLines(ctx.inputs.path ?? '');
  if (!key) throw new SlipwayError('WORKFLOW_INVALID', 'actions/cache: input `key` is required');
  if (paths.length === 0) throw new SlipwayError('WORKFLOW_INVALID', 'actions/cache: input `path` is required');
  const restoreKeys = patternLines(ctx.inputs['restore-keys'] ?? '');
  for (const k of [key, ...restoreKeys]) {
    if (k.length > maxKeyLength || k.includes(',')) throw new SlipwayError('WORKFLOW_INVALID', `actions/cache: key "${k}" is longer than ${maxKeyLength} characters or contains a comma`);
  }
  const jobId = ctx.claimed.id;
  const workspace = ctx.paths.workspace;
  const lookupOnly = ctx.inputs['lookup-only'] === 'true';
  const hit = await ctx.api.restoreCache(jobId, [key, ...restoreKeys]);
  const exact = hit?.key === key;
  if (hit) {
    if (lookupOnly) (hit.archive as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    else await restoreInJob(ctx, hit.archive, hit.key);
    ctx.log.line(`Cache ${lookupOnly ? 'found' : 'restored'} from key: ${hit.key}`);
  } else {
    if (ctx.inputs['fail-on-cache-miss'] === 'true') throw new SlipwayError('NOT_FOUND', `actions/cache: no cache for input keys: ${[key, ...restoreKeys].join(', ')}`);
    ctx.log.line(`Cache not found for input keys: ${[key, ...restoreKeys].join(', ')}`);
  }
  if (!exact) {
    ctx.addPostStep({
      name: `Post ${ctx.stepName}`,
      condition: 'success',
      run: async () => {
        const files = confinedTo(globFiles(paths, workspace), [workspace, ctx.paths.temp]);
        if (files.length === 0) {
          ctx.log.line('##[warning]Path Validation Error: Path(s) specified in the action for caching do(es) not exist, hence no cache is being saved.');
          return;
        }
        const archive = createTarGz(workspace, files.map((f) => relative(workspace, f)), { keepPaths: true });
        await sendArchive(archive, (stream) => ctx.api.saveCache(jobId, key, stream));
        ctx.log.line(`Cache saved with key: ${key} (${files.length} files)`);
      },
    });
  }
  return { outputs: { 'cache-hit': hit ? String(exact) : '', 'cache-primary-key': key, 'cache-matched-key': hit?.key ?? '' } };
};
