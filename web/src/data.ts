// Reads several pages share: a project with the caller's role, its environments with what
// each serves, and the last deployment per environment.
import { api, enc } from './api.ts';
import type { Deployment, EnvironmentState, Project, Release, Run } from './types.ts';

export const getProject = (name: string) => api<Project>(`/api/projects/${enc(name)}`);
export const getRuns = (project: string, limit = 50) => api<Run[]>(`/api/runs?project=${enc(project)}&limit=${limit}`);
export const getReleases = (project: string) => api<Release[]>(`/api/releases?project=${enc(project)}`);
export const getDeployments = (project: string, env?: string) => api<Deployment[]>(`/api/deployments?project=${enc(project)}${env ? `&env=${enc(env)}` : ''}`);

export interface Serving {
  environment: string;
  release: Release | undefined;
  url: string | null;
  since: string;
  /** The newest deployment to this environment, whatever its outcome. */
  last: Deployment | undefined;
  /** The deployment that put what is serving there. */
  current: Deployment | undefined;
}

/** Per environment: what serves there now, since when, and how its newest deployment went. */
export async function getServing(project: string): Promise<Serving[]> {
  const [states, releases, deployments] = await Promise.all([
    api<EnvironmentState[]>(`/api/environments?project=${enc(project)}`),
    getReleases(project),
    getDeployments(project),
  ]);
  const byId = new Map(releases.map((r) => [r.id, r]));
  const envs = new Set([...states.map((s) => s.environment), ...deployments.map((d) => d.environment)]);
  return [...envs].sort().map((environment) => {
    const s = states.find((x) => x.environment === environment);
    const mine = deployments.filter((d) => d.environment === environment);
    return {
      environment,
      release: s?.release ? byId.get(s.release) : undefined,
      url: s?.url ?? null,
      since: s?.updatedAt ?? '',
      last: mine[0],
      current: mine.find((d) => d.status === 'success' && d.release?.id === s?.release),
    };
  });
}
