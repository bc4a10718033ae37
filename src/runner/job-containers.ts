// The job's `container:` and `services:` with their expressions evaluated when the job
// starts (docs.github.com "Contexts reference" §Context availability: image from github,
// needs, strategy, matrix, vars, inputs; env and credentials also see secrets, env, job,
// runner). A service whose image evaluates to '' is left out, as on GitHub ("If ... image
// is assigned an empty string, the service will not start"). `options` and `volumes` hold
// no expressions: the parser refused them, so what was checked is what runs.
import type { ContainerSpec, JobSpec, RegistryCredentials, ServiceSpec } from '../workflow/model.ts';
import { interpolateText, type ExprContext, type HashFiles } from './expression-adapter.ts';

export interface JobContainers {
  container?: ContainerSpec;
  services: Record<string, ServiceSpec>;
  /** Registry passwords, for the log's mask: they are never printed. */
  secrets: string[];
}

export function evaluateJobContainers(spec: Pick<JobSpec, 'container' | 'services'>, values: ExprContext, hashFiles?: HashFiles): JobContainers {
  const text = (t: string): string => interpolateText(t, values, hashFiles);
  const secrets: string[] = [];
  const credentials = (c: RegistryCredentials | undefined): RegistryCredentials | undefined => {
    if (!c) return undefined;
    const out = { username: text(c.username), password: text(c.password) };
    if (out.password !== '') secrets.push(out.password);
    return out;
  };
  const common = <T extends ContainerSpec | ServiceSpec>(c: T): T => {
    const out: T = { ...c, image: text(c.image), env: Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, text(v)])) };
    const creds = credentials(c.credentials);
    if (creds) out.credentials = creds;
    if (c.ports) out.ports = c.ports.map(text);
    return out;
  };
  const services: Record<string, ServiceSpec> = {};
  for (const [id, service] of Object.entries(spec.services)) {
    const evaluated = common(service);
    if (evaluated.image === '') continue;
    if (service.entrypoint !== undefined) evaluated.entrypoint = text(service.entrypoint);
    if (service.command !== undefined) evaluated.command = text(service.command);
    services[id] = evaluated;
  }
  return { ...(spec.container ? { container: common(spec.container) } : {}), services, secrets };
}
