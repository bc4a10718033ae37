// Where a person follows a run or a deployment: the one place that spells these URLs (the
// API's views today; the web UI's pages once it serves them).
export const runUrl = (base: string, project: string, number: number) => `${base}/api/runs/${encodeURIComponent(`${project}#${number}`)}`;
export const deploymentUrl = (base: string, project: string, number: number) => `${base}/api/deployments/${encodeURIComponent(`${project}#${number}`)}`;
