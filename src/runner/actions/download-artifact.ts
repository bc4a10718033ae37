// `actions/download-artifact@v4` (github.com/actions/download-artifact): `name` → that
// artifact's files into `path` (default the workspace); without `name`, every artifact of
// the run (or those matching `pattern`) each into `path/<name>/`, or all into `path` with
// `merge-multiple: true`. Output `download-path`.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BuiltInAction } from './action.ts';
import { extractTarGz } from './archive.ts';
import { compilePattern } from '../glob.ts';
import { SlipwayError } from '../../core/errors.ts';

export const downloadArtifact: BuiltInAction = async (ctx) => {
  const jobId = ctx.claimed.id;
  const pathInput = (ctx.inputs.path ?? '').trim();
  const expanded = pathInput === '~' || pathInput.startsWith('~/') ? homedir() + pathInput.slice(1) : pathInput;
  const target = resolve(ctx.paths.workspace, expanded || '.');
  const name = ctx.inputs.name?.trim();
  const fetchInto = async (artifact: string, dir: string) => {
    const archive = await ctx.api.downloadArtifact(jobId, artifact);
    if (!archive) throw new SlipwayError('NOT_FOUND', `actions/download-artifact: Artifact not found for name: ${artifact}`);
    mkdirSync(dir, { recursive: true });
    await extractTarGz(archive, dir);
    ctx.log.line(`Artifact "${artifact}" downloaded to ${dir}`);
  };
  if (name) {
    await fetchInto(name, target);
  } else {
    const pattern = ctx.inputs.pattern?.trim();
    // Artifact names are matched like a one-segment glob.
    const matches = pattern ? (n: string) => compilePattern(pattern, '/').matches(`/${n}`) : () => true;
    const all = (await ctx.api.listArtifacts(jobId)).filter((a) => matches(a.name));
    const merge = ctx.inputs['merge-multiple'] === 'true';
    for (const a of all) await fetchInto(a.name, merge ? target : join(target, a.name));
    if (all.length === 0) ctx.log.line('No artifacts to download');
  }
  return { outputs: { 'download-path': target } };
};
