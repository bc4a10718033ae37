// A remote reusable workflow (`jobs.<id>.uses: owner/repo/.github/workflows/x.yml@ref`),
// read from its commit's tree through the same action sources as remote actions, at
// planning time (start-run.ts), for `slipway run` and for `slipway lint`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSlipwayError } from '../../core/errors.ts';
import { parseActionRef } from './action-ref.ts';
import type { ActionSources, ResolveAccess } from './action-sources.ts';

export interface Resolution {
  uses: string;
  sha: string;
  source: string;
}

/** Loads workflow files by `uses`; every resolution is pushed onto `resolved` (for the run's record). */
export function remoteWorkflowLoader(sources: ActionSources, access: ResolveAccess, resolved: Resolution[] = []) {
  return async (uses: string): Promise<{ text: string } | { problem: string }> => {
    const ref = parseActionRef(uses);
    if ('problem' in ref) return { problem: ref.problem };
    try {
      const r = await sources.resolve(ref, access);
      resolved.push({ uses, sha: r.sha, source: r.source });
      const text = await readFile(join(r.tree, ref.path), 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (text === undefined) return { problem: `\`${uses}\`: ${ref.owner}/${ref.repo} at ${r.sha.slice(0, 12)} (${ref.ref}, source ${r.source}) has no ${ref.path}` };
      return { text };
    } catch (err) {
      if (isSlipwayError(err, 'ACTION_UNRESOLVED')) return { problem: err.message };
      throw err;
    }
  };
}
