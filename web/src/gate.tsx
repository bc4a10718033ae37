// An approval gate, a deployment's or a job's: how far it got, who may approve, the
// decisions so far, and Approve / Reject for those the gate would let decide (the server's
// own answer, GET …/approval-rights; the server checks again when they click).
import { api } from './api.ts';
import { ActionButton } from './components.tsx';
import { ago } from './format.ts';
import { useLoad } from './load.ts';
import type { Approval, GateProgress } from './types.ts';

interface GateRights extends GateProgress {
  approve: string | null;
  reject: string | null;
  /** A job's gate says who may approve (a deployment's page knows it from the rules). */
  whoMay?: string | null;
}

export function GatePanel({ what, rightsUrl, decideUrl, whoMay, reload }: {
  /** "deployment" or "job": words in the reject prompt. */
  what: string;
  rightsUrl: string;
  decideUrl: string;
  whoMay?: string;
  reload: () => Promise<void>;
}) {
  const rights = useLoad(() => api<GateRights>(rightsUrl), [rightsUrl]);
  const decide = (decision: 'approve' | 'reject') => async () => {
    const reason = decision === 'reject' ? window.prompt(`Why reject this ${what}?`) : undefined;
    if (decision === 'reject' && !reason) return;
    // A deployment takes its reason as `reason`, a job as `comment`; send what each reads.
    const body = { decision, ...(reason && (what === 'job' ? { comment: reason } : { reason })) };
    await api(decideUrl, { method: 'POST', body });
    await Promise.all([reload(), rights.reload()]);
  };
  const r = rights.data;
  return (
    <div class="gate" data-testid="gate">
      <p>
        <b>Waiting for approval</b>{r && `: ${r.approval ? `${r.approval.approved} of ${r.approval.required} approvals` : 'gated'}`}
        {r?.approval?.waitUntil && ` · wait timer until ${new Date(r.approval.waitUntil).toLocaleString()}`}
      </p>
      {(whoMay ?? r?.whoMay) && <p class="muted">Who may approve: {whoMay ?? r?.whoMay}</p>}
      {r && r.approvals.length > 0 && <Decisions approvals={r.approvals} />}
      {r && (r.approve === null || r.reject === null) && (
        <div class="buttons">
          {r.approve === null && <ActionButton label="Approve" run={decide('approve')} />}
          {r.reject === null && <ActionButton label="Reject" danger run={decide('reject')} />}
        </div>
      )}
      {r?.approve && (
        <p class="muted" data-testid="approve-refusal">
          {r.approve}
        </p>
      )}
    </div>
  );
}

function Decisions({ approvals }: { approvals: Approval[] }) {
  return (
    <ul class="plain">
      {approvals.map((a) => (
        <li key={a.user + a.at}>
          {a.user} {a.decision === 'approve' ? 'approved' : `rejected: ${a.reason}`} <span class="muted">{ago(a.at)}</span>
        </li>
      ))}
    </ul>
  );
}
