// The `secrets` context of a claimed job (docs.github.com "Using secrets in GitHub Actions"):
// the scheduler names the job's environment (`environment:` may be an expression over the
// matrix, inputs, needs and github) and the store the composition root gave it decides the
// values — project secrets for every job, an environment's only for a job that names it and
// only once that environment's gate lets it through.
import type { Run } from '../store/repos/runs.ts';
import type { JobSpec } from '../workflow/model.ts';
import type { ExpressionContext } from '../workflow/expressions/index.ts';
import { contextValues, evaluateTemplate, type GithubContext } from './contexts.ts';
import type { StoredPlan } from './stored-plan.ts';
import { callerMatrixAt, callerSpecAt } from './calls.ts';

/** What the secret store is asked for one job. */
export interface JobSecretsRequest {
  run: Run;
  /** The project's name. */
  project: string;
  /** `environment:` of the job, evaluated; absent when the job names none. */
  environment?: string;
  /** True when the job waited at the environment's approval gate and got through it (job-gate.ts). */
  approved?: boolean;
}

export interface JobSecrets {
  /** The project's secrets (a called workflow's job sees only those its caller passes). */
  secrets: Record<string, string>;
  /** The job's environment's secrets, when given: they override the project's, also in a called workflow. */
  environment?: Record<string, string>;
  /** Log lines for the job (a withheld environment's secrets, and why). */
  notes: string[];
}

export type SecretsFor = (request: JobSecretsRequest) => Promise<JobSecrets>;

/** Resolves the job's `secrets`; an `environment:` that cannot be evaluated gets no environment secrets and says why. */
export async function jobSecrets(secretsFor: SecretsFor | undefined, run: Run, project: string, spec: JobSpec, context: ExpressionContext, approved = false): Promise<JobSecrets> {
  if (!secretsFor) return { secrets: {}, notes: [] };
  const name = spec.environment?.name;
  if (name === undefined) return secretsFor({ run, project });
  let environment: string;
  try {
    environment = String(evaluateTemplate(name, context));
  } catch (err) {
    const got = await secretsFor({ run, project });
    return { secrets: got.secrets, notes: [...got.notes, `##[warning]environment: ${name}: ${(err as Error).message}; the job gets no environment secrets`] };
  }
  return secretsFor({ run, project, environment, ...(approved && { approved }) });
}

/** `environment:` of a job, evaluated; undefined when it names none or the expression fails (jobSecrets then says why). */
export function environmentOf(spec: JobSpec, context: ExpressionContext): string | undefined {
  const name = spec.environment?.name;
  if (name === undefined) return undefined;
  try {
    return String(evaluateTemplate(name, context));
  } catch {
    return undefined;
  }
}

/**
 * The project secrets a job of a called workflow sees (docs.github.com "Reusing workflows"
 * §Passing secrets): at each call level, `secrets: inherit` passes the caller's on, a
 * mapping passes exactly its names, evaluated with the caller's `secrets`, `github` and
 * matrix; no `secrets:` passes none. Mapped values are secrets too (masked like the rest).
 */
export function secretsAtLevel(stored: StoredPlan, level: string[], secrets: Record<string, string>, github: GithubContext): Record<string, string> {
  if (level.length === 0) return secrets;
  const parent = secretsAtLevel(stored, level.slice(0, -1), secrets, github);
  const caller = callerSpecAt(stored, level);
  if (caller.secrets === 'inherit') return parent;
  const context = contextValues({ github, secrets: parent, matrix: callerMatrixAt(stored, level) });
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(caller.secrets ?? {})) out[name] = String(evaluateTemplate(text, context) ?? '');
  return out;
}
