// Runs started through the API (docs.github.com "Events that trigger workflows"):
// workflow_dispatch with typed inputs, repository_dispatch with an event type and a
// client payload.
import { formatDiagnostic, SlipwayError } from '../core/errors.ts';
import type { Run } from '../store/repos/runs.ts';
import { matchesDispatch, matchRepositoryDispatch, resolveInputs } from '../workflow/triggers.ts';
import { resolveRef } from './git-refs.ts';
import { startRun, type StartRunDeps } from '../scheduler/start-run.ts';
import { readWorkflows } from './read-workflows.ts';
import { dispatchPayload, repositoryDispatchPayload, triggerFacts } from './event-payload.ts';

/**
 * `POST …/workflows/:file/dispatches`: `file` is the workflow's file name or repository path.
 * `sender`: the user who dispatched it (`github.event.sender.login`), who then cannot approve
 * what the run builds (deploy/gate/approver-rules.ts).
 */
export async function dispatchWorkflow(deps: StartRunDeps, project: string, file: string, ref: string | undefined, given: Record<string, unknown>, sender?: string): Promise<Run> {
  const target = await resolveRef(deps.git, project, ref);
  const all = await readWorkflows(deps.git, project, target.sha, deps.parse);
  const found = all.find((w) => w.file === file || w.file.split('/').pop() === file);
  if (!found) throw new SlipwayError('NOT_FOUND', `no workflow ${JSON.stringify(file)} at ${target.ref} (workflows: ${all.map((w) => w.file.split('/').pop()).join(', ') || 'none'})`);
  if (!found.workflow || found.diagnostics.length > 0) {
    throw new SlipwayError('WORKFLOW_INVALID', `${found.file} is invalid:\n${found.diagnostics.map(formatDiagnostic).join('\n')}`);
  }
  if (!matchesDispatch(found.workflow)) throw new SlipwayError('WORKFLOW_INVALID', `${found.file} has no \`on: workflow_dispatch\` trigger`);
  const { inputs, errors } = resolveInputs(found.workflow.on.workflowDispatch?.inputs ?? {}, given);
  if (!inputs) throw new SlipwayError('WORKFLOW_INVALID', `${found.file}: ${errors.join('; ')}`, { detail: { errors } });
  const payload = await dispatchPayload(deps, project, target.ref, inputs, found.file, sender);
  const facts = await triggerFacts(deps, project, target.ref, sender ?? 'slipway');
  return startRun(deps, { project, ref: target.ref, sha: target.sha, event: 'workflow_dispatch', payload, inputs, facts }, found.file, found.workflow);
}

/** `POST …/dispatches`: every workflow on the default branch whose `repository_dispatch` takes the type. */
export async function repositoryDispatch(deps: StartRunDeps, project: string, eventType: string, clientPayload: Record<string, unknown>, sender?: string): Promise<Run[]> {
  const head = await resolveRef(deps.git, project, undefined);
  const runs: Run[] = [];
  for (const w of await readWorkflows(deps.git, project, head.sha, deps.parse)) {
    if (!w.workflow || w.diagnostics.length > 0 || !matchRepositoryDispatch(w.workflow, eventType)) continue;
    const payload = await repositoryDispatchPayload(deps, project, head.ref, eventType, clientPayload, sender);
    const facts = await triggerFacts(deps, project, head.ref, sender ?? 'slipway');
    runs.push(await startRun(deps, { project, ref: head.ref, sha: head.sha, event: 'repository_dispatch', payload, facts }, w.file, w.workflow));
  }
  return runs;
}
