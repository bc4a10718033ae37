// `runner.labels`: which image a job runs in, by its `runs-on` labels (act_runner's
// `label:docker://image`). A value is an image reference (`docker://` optional), `builtin`
// for the job image Slipway makes itself, or `host` for the host (shell) executor, which
// only `runner.host: true` allows. The list form of earlier versions is still accepted:
// every label listed runs in the built-in job image.
import { z } from 'zod';
import { durationSchema } from './duration-schema.ts';

export const builtinJobImage = 'builtin';
export const hostExecutor = 'host';

/** The labels the built-in runner offers when `runner.labels` is not set: each runs in the built-in job image. */
export const defaultRunnerLabels: Readonly<Record<string, string>> = Object.fromEntries(
  ['ubuntu-latest', 'ubuntu-24.04', 'ubuntu-22.04', 'self-hosted', 'linux', 'x64', 'slipway'].map((label) => [label, builtinJobImage]),
);

const label = z.string().min(1).regex(/^[^\s,]+$/, 'a label has no blanks or commas');
const target = z.string().min(1).transform((value) => value.replace(/^docker:\/\//, ''));

export const runnerLabelsSchema = z
  .union([z.array(label).transform((list) => Object.fromEntries(list.map((l) => [l, builtinJobImage]))), z.record(label, target)])
  .default(defaultRunnerLabels);

/** Issues for labels sent to the host executor while `runner.host` is off. */
export function hostLabelIssues(labels: Record<string, string>, hostAllowed: boolean): { path: string[]; message: string }[] {
  if (hostAllowed) return [];
  return Object.entries(labels)
    .filter(([, value]) => value === hostExecutor)
    .map(([name]) => ({ path: [name], message: 'runs jobs on the host, which needs runner.host: true (jobs run in containers otherwise)' }));
}

/** `runner.queueTimeout`: a duration (`24h`) or a number of seconds, as milliseconds. */
export const queueTimeoutSchema = durationSchema(24 * 3_600_000);
