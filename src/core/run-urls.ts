// Where a person follows a run or a deployment: the web UI's pages (web/src/main.tsx), the
// one place that spells these URLs for links sent out (commit statuses, notifications, git push).
export const runUrl = (base: string, project: string, number: number) => `${base}/p/${encodeURIComponent(project)}/runs/${number}`;
export const deploymentUrl = (base: string, project: string, number: number) => `${base}/p/${encodeURIComponent(project)}/deployments/${number}`;
export const projectUrl = (base: string, project: string) => `${base}/p/${encodeURIComponent(project)}`;
