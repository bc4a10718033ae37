import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { ago, printList } from '../output.ts';
import type { GcReport } from '../../registry/gc.ts';
import type { RetentionReport } from '../../deploy/retention.ts';

const usage = 'slipway registry gc | retention [--dry-run]';

export const registryCommand: Command = {
  name: 'registry',
  summary: 'registry upkeep: garbage collection, release retention (admins)',
  usage: 'gc | retention [--dry-run] [--json]',
  help: `  gc             delete the blobs and manifests nothing references (tags, kept releases,
                 index entries, referrers keep them); what was written or read within
                 registry.gc.grace stays
  retention      untag the releases retention does not keep (serving, being deployed, last
                 known-good, the newest registry.retention.keepPerBranch of each branch, younger
                 than registry.retention.keepDays); the next gc frees their bytes
  --dry-run      report what would go; delete nothing
${clientHelp}`,
  options: { ...clientOptions, 'dry-run': { type: 'boolean' } },
  async run(values, [action]) {
    const client = clientFor(values);
    const json = Boolean(values.json);
    const dryRun = values['dry-run'] === true;
    if (action === 'gc') {
      const r = await client.json<GcReport>('POST', '/api/registry/gc', { dryRun });
      const verb = r.dryRun ? 'would free' : 'freed';
      process.stdout.write(json ? `${JSON.stringify(r)}\n` : `${verb} ${r.blobs} blob(s), ${(r.bytes / 1_000_000).toFixed(1)} MB; ${r.manifests} manifest(s), ${r.links} repository link(s); ${r.spared} spared as in use (${r.durationMs} ms)\n`);
      return 0;
    }
    if (action === 'retention') {
      const r = await client.json<RetentionReport>('POST', '/api/registry/retention', { dryRun });
      if (json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return 0;
      }
      printList(r.dropped, false, 'no release to drop', ['PROJECT', 'RELEASE', 'REF', 'COMMIT', 'IMAGE', 'BUILT'], (d) => [d.project, d.id, d.ref.replace(/^refs\/(heads|tags)\//, ''), d.sha.slice(0, 12), `${d.image}@${d.digest.slice(0, 19)}`, ago(d.createdAt)]);
      process.stdout.write(`${r.kept} release(s) kept; ${r.dropped.length} ${r.dryRun ? 'would be dropped (dry run)' : `dropped, ${r.untagged} tag(s) removed; run slipway registry gc to free their bytes`}\n`);
      return 0;
    }
    throw new CliError(`usage: ${usage}`, 2);
  },
};
