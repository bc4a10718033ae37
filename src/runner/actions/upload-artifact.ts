// `actions/upload-artifact@v4` (github.com/actions/upload-artifact): `name` (default
// `artifact`), `path` (lines, globs, `!` excludes), `if-no-files-found` (warn | error |
// ignore), `include-hidden-files` (default false). Names inside the archive are relative
// to the least common ancestor of the search paths, as the action stores them; a single
// file is stored by its base name. `retention-days` and `compression-level` are ignored.
import { relative, sep } from 'node:path';
import { statSync } from 'node:fs';
import type { BuiltInAction } from './action.ts';
import { createTarGz, sendArchive } from './archive.ts';
import { commonAncestor, confinedTo, globFiles, patternLines, searchPaths } from '../glob.ts';
import { SlipwayError } from '../../core/errors.ts';

export const uploadArtifact: BuiltInAction = async (ctx) => {
  const name = ctx.inputs.name?.trim() || 'artifact';
  const patterns = patternLines(ctx.inputs.path ?? '');
  if (patterns.length === 0) throw new SlipwayError('WORKFLOW_INVALID', 'actions/upload-artifact: input `path` is required');
  const ifNone = (ctx.inputs['if-no-files-found'] ?? 'warn').trim();
  if (!['warn', 'error', 'ignore'].includes(ifNone)) throw new SlipwayError('WORKFLOW_INVALID', `actions/upload-artifact: if-no-files-found must be warn, error or ignore, not "${ifNone}"`);
  const workspace = ctx.paths.workspace;
  const roots = searchPaths(patterns, workspace);
  let root = commonAncestor(roots);
  if (roots.length === 1 && isFile(root)) root = root.slice(0, root.lastIndexOf('/')) || '/';
  const hidden = ctx.inputs['include-hidden-files'] === 'true';
  const files = confinedTo(globFiles(patterns, workspace), [workspace, ctx.paths.temp])
    .map((f) => relative(root, f))
    .filter((f) => hidden || !f.split(sep).some((part) => part.startsWith('.')));
  if (files.length === 0) {
    const message = `No files were found with the provided path: ${patterns.join(', ')}. No artifacts will be uploaded.`;
    if (ifNone === 'error') throw new SlipwayError('NOT_FOUND', message);
    ctx.log.line(ifNone === 'warn' ? `##[warning]${message}` : message);
    if (ifNone === 'warn') await ctx.api.addAnnotation(ctx.claimed.id, { level: 'warning', message, title: 'upload-artifact' });
    return {};
  }
  ctx.log.line(`Uploading ${files.length} file(s) from ${relative(workspace, root) || '.'} as artifact "${name}"`);
  const { size } = await sendArchive(createTarGz(root, files), (stream) => ctx.api.uploadArtifact(ctx.claimed.id, name, stream));
  ctx.log.line(`Artifact "${name}" uploaded (${size} bytes)`);
  return { outputs: { 'artifact-id': name } };
};

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
