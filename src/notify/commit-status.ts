// Commit statuses for a forge's API (issue 12 item 5), one context per workflow and one per
// environment deployed, so the forge shows each next to the commit:
// - GitHub: POST /repos/{owner}/{repo}/statuses/{sha} {state: pending|success|failure|error,
//   target_url, description, context} (docs.github.com "REST API endpoints for commit statuses");
// - Gitea/Forgejo: the same path and body under /api/v1 (Gitea API "repoCreateStatus");
// - GitLab: POST /projects/:id/statuses/:sha {state: pending|running|success|failed|canceled,
//   name, target_url, description} (docs.gitlab.com "Commits API" § Set the pipeline status).
import { forgeAuthorization, repositoryApi, type ForgeKind } from '../triggers/forge/forge-kind.ts';
import type { ForgeLink } from '../triggers/forge/forge-links.ts';

/** What Slipway reports, before each forge's own words for it. */
export type ReportedState = 'pending' | 'running' | 'success' | 'failure' | 'cancelled';

interface StatusRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  state: string;
}

const githubState: Record<ReportedState, string> = { pending: 'pending', running: 'pending', success: 'success', failure: 'failure', cancelled: 'error' };
const gitlabState: Record<ReportedState, string> = { pending: 'pending', running: 'running', success: 'success', failure: 'failed', cancelled: 'canceled' };

export function statusRequest(link: Pick<ForgeLink, 'kind' | 'url' | 'apiUrl'> & { token: string }, sha: string, s: { state: ReportedState; context: string; description: string; targetUrl: string }): StatusRequest {
  const kind: ForgeKind = link.kind;
  const api = repositoryApi(kind, link.url, link.apiUrl);
  const headers: Record<string, string> = { authorization: forgeAuthorization(kind, link.token, 'api'), accept: kind === 'github' ? 'application/vnd.github+json' : 'application/json' };
  // GitHub and Gitea cap descriptions (140 characters on GitHub).
  const description = s.description.length > 140 ? `${s.description.slice(0, 139)}…` : s.description;
  if (kind === 'gitlab') {
    const state = gitlabState[s.state];
    return { url: `${api}/statuses/${sha}`, headers, state, body: JSON.stringify({ state, name: s.context, target_url: s.targetUrl, description }) };
  }
  const state = githubState[s.state];
  return { url: `${api}/statuses/${sha}`, headers, state, body: JSON.stringify({ state, context: s.context, target_url: s.targetUrl, description }) };
}
