// A push becomes runs: read the workflows at the pushed commit, keep those whose `on.push`
// matches, validate them (and deploy.yml) and plan each into a run. An invalid file fails
// its own run with every error listed; it never stops other workflows or the server.
import type { PushEvent } from '../core/types.ts';
import { zeroSha } from '../core/types.ts';
import { formatDiagnostic } from '../core/errors.ts';
import type { GitHosting } from '../git/hosting.ts';
import type { Store } from '../store/store.ts';
import type { EventBus } from './events.ts';
import type { StoredPlan } from '../scheduler/scheduler.ts';
import { parseWorkflow } from '../workflow/parse-workflow.ts';
import { matchPush } from '../workflow/triggers.ts';
import { planWorkflow } from '../workflow/plan.ts';
import { workflowFileNames } from '../workflow/load.ts';
import { parseDeployConfig } from '../deploy/deploy-config.ts';

export const deployConfigPath = '.slipway/deploy.yml';

export interface OnPushDeps {
  git: GitHosting;
  store: Store;
  events: EventBus;
  log: (message: string) => void;
}

export async function startRunsForPush(deps: OnPushDeps, event: PushEvent): Promise<string[]> {
  const { git, store } = deps;
  if (event.after === zeroSha) return []; // a deleted ref starts nothing
  const project = await store.projects.ensure(event.project);
  const slipwayFiles = await git.listFiles(event.project, event.after, '.slipway/workflows');
  const githubFiles = await git.listFiles(event.project, event.after, '.github/workflows');
  const { files } = workflowFileNames(slipwayFiles, githubFiles);
  let changedFiles: string[] | undefined;
  const runIds: string[] = [];
  let deployErrors: string | undefined | null = null;

  for (const file of files) {
    const text = (await git.readFile(event.project, event.after, file)) ?? '';
    const { workflow, diagnostics } = parseWorkflow(file, text);
    const name = workflow?.name ?? file.split('/').pop()!;
    let error: string | undefined;
    if (workflow && diagnostics.length === 0) {
      if (workflow.on.push?.paths || workflow.on.push?.pathsIgnore) {
        changedFiles ??= await git.changedFiles(event.project, event.before, event.after);
      }
      if (!matchPush(workflow, { ref: event.ref, changedFiles })) continue;
      if (deployErrors === null) deployErrors = await validateDeployConfig(git, event);
      error = deployErrors;
    } else {
      // An invalid workflow cannot say whether it matches this push; report it, as GitHub does.
      error = diagnostics.map(formatDiagnostic).join('\n');
    }
    const stored: StoredPlan | undefined = workflow && !error ? { workflow, plan: planWorkflow(workflow) } : undefined;
    const run = await store.runs.create({
      projectId: project.id,
      workflow: file,
      name,
      event: 'push',
      ref: event.ref,
      sha: event.after,
      error,
      plan: stored,
      jobs: stored ? stored.plan.jobs.map((j) => ({ key: j.key, name: j.name, needs: j.needs, runsOn: j.runsOn })) : [],
    });
    deps.log(`run #${run.number} ${event.project} ${file} ${error ? 'failed: invalid configuration' : 'queued'}`);
    runIds.push(run.id);
    deps.events.emit('run-updated', run.id);
    if (error) deps.events.emit('run-finished', run.id);
  }
  if (runIds.length > 0) deps.events.emit('jobs-available');
  return runIds;
}

async function validateDeployConfig(git: GitHosting, event: PushEvent): Promise<string | undefined> {
  const text = await git.readFile(event.project, event.after, deployConfigPath);
  if (text === undefined) return undefined;
  const { diagnostics } = parseDeployConfig(deployConfigPath, text);
  return diagnostics.length > 0 ? diagnostics.map(formatDiagnostic).join('\n') : undefined;
}
