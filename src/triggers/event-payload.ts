// `github.event` (GITHUB_EVENT_PATH) as GitHub shapes it (docs.github.com "Webhook events and
// payloads" §push, §workflow_dispatch, §repository_dispatch, §schedule), from what Slipway
// knows: the repository, the user behind the event and, for a push, its commits. Also the
// trigger facts the `github` context carries beside the payload (actor, ref protection).
import type { PushEvent } from '../core/types.ts';
import type { GitHosting } from '../git/hosting.ts';
import type { PushedCommit } from '../git/push-commits.ts';
import type { StartRunDeps } from '../scheduler/start-run.ts';
import { numericId, repositoryOwner, type TriggerFacts } from '../scheduler/contexts.ts';

/** What a payload needs to know of where it happened. */
export interface PayloadDeps {
  git: Pick<GitHosting, 'defaultBranch' | 'pushCommits' | 'isAncestor' | 'branches'>;
  store: StartRunDeps['store'];
  /** The server's public URL (html_url, clone_url, compare); '' when there is none (`slipway run`). */
  baseUrl?: string;
}

/** `sender` (and the shape of `owner`): a user by login. The id is the numeric one GITHUB_ACTOR_ID gives. */
export function userPayload(login: string): Record<string, unknown> {
  return { login, id: numericId(login), type: login === repositoryOwner ? 'Organization' : 'User' };
}

/** `repository`: the project as GitHub describes a repository. */
export async function repositoryPayload(deps: PayloadDeps, projectName: string): Promise<Record<string, unknown>> {
  const project = await deps.store.projects.ensure(projectName);
  const base = deps.baseUrl ?? '';
  const html = `${base}/p/${projectName}`;
  return {
    id: numericId(project.id),
    name: projectName,
    full_name: `${repositoryOwner}/${projectName}`,
    private: project.public !== 1,
    visibility: project.public === 1 ? 'public' : 'private',
    owner: { ...userPayload(repositoryOwner), name: repositoryOwner },
    html_url: html,
    url: `${base}/api/projects/${projectName}`,
    clone_url: `${base}/git/${projectName}.git`,
    fork: false,
    default_branch: await deps.git.defaultBranch(projectName),
  };
}

/** `github.actor`, `triggering_actor` and `ref_protected` for a run of `ref` started by `actor`. */
export async function triggerFacts(deps: PayloadDeps, project: string, ref: string, actor: string): Promise<TriggerFacts> {
  return { actor, triggeringActor: actor, refProtected: (await deps.git.branches?.protects(project, ref)) ?? false };
}

function commitPayload(c: PushedCommit, base: string, project: string): Record<string, unknown> {
  return {
    id: c.id,
    tree_id: c.treeId,
    distinct: true,
    message: c.message,
    timestamp: c.timestamp,
    url: `${base}/p/${project}/commit/${c.id}`,
    author: c.author,
    committer: c.committer,
    added: c.added,
    removed: c.removed,
    modified: c.modified,
  };
}

/** `workflow_dispatch` (docs §workflow_dispatch): the typed inputs, the ref, the workflow file, who dispatched it. */
export async function dispatchPayload(deps: PayloadDeps, project: string, ref: string, inputs: Record<string, unknown>, workflowFile: string, sender?: string): Promise<Record<string, unknown>> {
  return { inputs, ref, repository: await repositoryPayload(deps, project), workflow: workflowFile, ...(sender !== undefined && { sender: userPayload(sender) }) };
}

/** `repository_dispatch` (docs §repository_dispatch): the event type as `action`, the client's payload. */
export async function repositoryDispatchPayload(deps: PayloadDeps, project: string, ref: string, eventType: string, clientPayload: Record<string, unknown>, sender?: string): Promise<Record<string, unknown>> {
  return { action: eventType, branch: ref.replace(/^refs\/heads\//, ''), client_payload: clientPayload, repository: await repositoryPayload(deps, project), ...(sender !== undefined && { sender: userPayload(sender) }) };
}

/** `schedule` (docs §schedule): the cron that fired. */
export async function schedulePayload(deps: PayloadDeps, project: string, cron: string): Promise<Record<string, unknown>> {
  return { schedule: cron, repository: await repositoryPayload(deps, project) };
}

/** The push event's payload. */
export async function pushPayload(deps: PayloadDeps, event: PushEvent): Promise<Record<string, unknown>> {
  const created = /^0+$/.test(event.before);
  const deleted = /^0+$/.test(event.after);
  const base = deps.baseUrl ?? '';
  const { commits, head } = deleted ? { commits: [], head: undefined } : await deps.git.pushCommits(event.project, event.ref, event.before, event.after);
  // A force-push: the old commit is not in the new one's history (or is gone altogether).
  const forced = !created && !deleted && !(await deps.git.isAncestor(event.project, event.before, event.after));
  const repository = await repositoryPayload(deps, event.project);
  return {
    ref: event.ref,
    before: event.before,
    after: event.after,
    base_ref: null,
    created,
    deleted,
    forced,
    compare: `${repository.html_url as string}/compare/${created ? event.after.slice(0, 12) : `${event.before.slice(0, 12)}...${event.after.slice(0, 12)}`}`,
    commits: commits.map((c) => commitPayload(c, base, event.project)),
    head_commit: head ? commitPayload(head, base, event.project) : null,
    repository: { ...repository, master_branch: repository.default_branch },
    pusher: { name: event.pusher, email: null },
    sender: userPayload(event.pusher),
  };
}
