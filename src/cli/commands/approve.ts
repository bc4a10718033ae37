// `slipway approve` (and what `slipway reject` shares): a decision on a deployment waiting at
// its environment's approval gate.
import type { Command, Values } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';
import { deploymentStatus, type DeploymentView } from './deployments.ts';
import { decideJob, jobApprovalHelp } from './job-approval.ts';

export const deploymentRefHelp = '  DEPLOYMENT     deployment id, or PROJECT#NUMBER (as `slipway deployments` shows; also PROJECT NUMBER)';

/** `dep_…`, `api#3`, or `api 3` as two arguments. */
export function deploymentRef(positionals: string[]): string | undefined {
  const [first, second] = positionals;
  if (first && second && /^\d+$/.test(second)) return `${first}#${second}`;
  return first;
}

export async function decide(values: Values, ref: string, body: { decision: 'approve' | 'reject'; reason?: string }): Promise<number> {
  const client = clientFor(values);
  const d = await client.json<DeploymentView>('POST', `/api/deployments/${encodeURIComponent(ref)}/approvals`, body);
  if (values.json) console.log(JSON.stringify(d, null, 2));
  else console.log(`deployment ${d.project}#${d.number} to ${d.environment}: ${body.decision === 'approve' ? 'approved' : 'rejected'}; now ${deploymentStatus(d)}`);
  return 0;
}

export const approveCommand: Command = {
  name: 'approve',
  summary: 'approve a deployment, or a job (--job), waiting for approval',
  usage: 'DEPLOYMENT [--json] | RUN --job KEY [--reject --comment TEXT] [--json]',
  help: `${deploymentRefHelp}\n${jobApprovalHelp}\n${clientHelp}`,
  options: { ...clientOptions, job: { type: 'string' }, reject: { type: 'boolean' }, comment: { type: 'string' } },
  async run(values, positionals) {
    const job = str(values.job);
    if (job !== undefined) {
      const [run] = positionals;
      if (!run || positionals.length > 1) throw new CliError('usage: slipway approve RUN --job KEY [--reject --comment TEXT]', 2);
      return decideJob(values, run, job);
    }
    if (values.reject === true || values.comment !== undefined) throw new CliError('--reject and --comment go with --job; reject a deployment with `slipway reject DEPLOYMENT --reason TEXT`', 2);
    const ref = deploymentRef(positionals);
    if (!ref) throw new CliError('usage: slipway approve DEPLOYMENT', 2);
    return decide(values, ref, { decision: 'approve' });
  },
};
