// `slipway approve RUN --job KEY [--reject --comment TEXT]`: a decision on a job waiting at
// its environment's approval gate (POST /api/runs/:run/jobs/:job/approvals).
import type { Values } from '../command.ts';
import { clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';
import { statusText } from '../output.ts';

interface JobDecisionView {
  job: string;
  status: string;
  environment: string | null;
  error: string | null;
  approval: { required: number; approved: number; waitUntil: string | null } | null;
}

export const jobApprovalHelp = `  RUN --job KEY  decide on a job of run RUN (id, or PROJECT#NUMBER) waiting for its environment's approval
  --reject       reject it instead (the job fails, its dependants skip); needs --comment
  --comment TEXT why (shown with the decision; a rejection's becomes the job's error)`;

export async function decideJob(values: Values, run: string, job: string): Promise<number> {
  const reject = values.reject === true;
  const comment = str(values.comment)?.trim();
  if (reject && !comment) throw new CliError('usage: slipway approve RUN --job KEY --reject --comment TEXT (a rejection needs a reason)', 2);
  const body = { decision: reject ? 'reject' : 'approve', ...(comment && { comment }) };
  const v = await clientFor(values).json<JobDecisionView>('POST', `/api/runs/${encodeURIComponent(run)}/jobs/${encodeURIComponent(job)}/approvals`, body);
  if (values.json) console.log(JSON.stringify(v, null, 2));
  else {
    const progress = v.approval && v.approval.required > 0 ? ` (${v.approval.approved}/${v.approval.required} approvals)` : '';
    console.log(`job ${v.job} (environment ${v.environment ?? '?'}): ${reject ? 'rejected' : 'approved'}; now ${statusText(v.status)}${progress}`);
  }
  return 0;
}
