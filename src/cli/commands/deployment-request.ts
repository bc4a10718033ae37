// What deploy, promote and rollback share: send the request, print the deployment, and
// with --wait follow it until it finishes (exit 1 if it failed).
import type { Client } from '../client.ts';
import { CliError } from '../client.ts';
import { deploymentStatus, type DeploymentView } from './deployments.ts';

export const waitHelp = '  --wait         follow the deployment until it finishes (also through an approval gate); exit 1 if it fails or is rejected';

export async function requestDeployment(client: Client, path: string, body: unknown, options: { json: boolean; wait: boolean }): Promise<number> {
  let d = await client.json<DeploymentView>('POST', path, body);
  if (!options.json) console.log(describe(d));
  if (options.wait) {
    while (d.status === 'waiting_for_approval' || d.status === 'queued' || d.status === 'running') {
      await new Promise((r) => setTimeout(r, 500));
      d = await client.json<DeploymentView>('GET', `/api/deployments/${d.id}`);
    }
    if (!options.json) console.log(describe(d));
  }
  if (options.json) console.log(JSON.stringify(d, null, 2));
  if (d.status === 'failure') throw new CliError(`deployment ${d.project}#${d.number} failed: ${d.error ?? ''}`);
  if (d.status === 'rejected') throw new CliError(`deployment ${d.project}#${d.number} was ${d.error ?? 'rejected'}`);
  return 0;
}

function describe(d: DeploymentView): string {
  const release = d.release ? ` ${d.release.sha.slice(0, 7)} (${d.release.id})` : '';
  const lock = d.lock ? `, waiting for ${d.project}#${d.lock.deployment.number ?? d.lock.deployment.id} (${d.lock.holder})` : '';
  const gate = d.status === 'waiting_for_approval' ? ` — \`slipway approve ${d.project}#${d.number}\`` : '';
  return `deployment ${d.project}#${d.number}: ${d.trigger}${release} to ${d.environment}: ${deploymentStatus(d)}${lock}${gate}`;
}
