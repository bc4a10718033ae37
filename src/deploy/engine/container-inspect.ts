// `podman|docker container inspect` output, parsed at the edge into the fields the deploy
// engine reads. Podman and Docker agree on these fields (Docker prefixes Name with "/").
import { z } from 'zod';
import { SlipwayError } from '../../core/errors.ts';

type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'stopped' | 'removing' | 'dead' | 'unknown';

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  state: ContainerState;
  /** ISO-8601 creation time. */
  created: string;
  /** Published ports: `8080/tcp` → host addresses. */
  ports: Record<string, { hostIp: string; hostPort: number }[]>;
}

const states: readonly string[] = ['created', 'running', 'paused', 'restarting', 'exited', 'stopped', 'removing', 'dead'];

const inspectSchema = z.array(
  z.object({
    Id: z.string(),
    Name: z.string(),
    Created: z.string(),
    Config: z.object({ Image: z.string().optional(), Labels: z.record(z.string(), z.string()).nullish() }),
    State: z.object({ Status: z.string() }),
    NetworkSettings: z
      .object({
        Ports: z.record(z.string(), z.array(z.object({ HostIp: z.string(), HostPort: z.string() })).nullable()).nullish(),
      })
      .nullish(),
  }),
);

export function parseInspect(stdout: string): ContainerInfo[] {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (cause) {
    throw new SlipwayError('EXEC_FAILED', 'container inspect printed something other than JSON', { cause });
  }
  const parsed = inspectSchema.safeParse(json);
  if (!parsed.success) {
    throw new SlipwayError('EXEC_FAILED', `unexpected container inspect output: ${parsed.error.message}`);
  }
  return parsed.data.map((c) => ({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Config.Image ?? '',
    labels: c.Config.Labels ?? {},
    state: (states.includes(c.State.Status) ? c.State.Status : 'unknown') as ContainerState,
    created: c.Created,
    ports: Object.fromEntries(
      Object.entries(c.NetworkSettings?.Ports ?? {}).map(([port, bindings]) => [
        port,
        (bindings ?? []).map((b) => ({ hostIp: b.HostIp, hostPort: Number(b.HostPort) })),
      ]),
    ),
  }));
}
