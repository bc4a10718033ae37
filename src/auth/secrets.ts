// Project and environment secrets: set, list (names and times only) and remove for the API,
// and resolve for a deployment or a job. Values are encrypted before they reach the store.
// A project secret is stored under the environment '' (no environment name is empty), so
// one table and one ciphertext format hold both.
import { SlipwayError } from '../core/errors.ts';
import { isValidName } from '../core/ids.ts';
import { SealedRecords } from './sealed-records.ts';

const secretName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The store's environment column for a project secret. */
const projectLevel = '';

interface SecretInfo {
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** Where a secret lives: `environment` undefined means the project's own (every job of its runs sees it). */
type Environment = string | undefined;

export class Secrets extends SealedRecords {
  async set(project: string, environment: Environment, name: string, value: string): Promise<void> {
    check(environment, name);
    // --env-file carries one KEY=value per line (container-engine.ts).
    if (/[\r\n\0]/.test(value)) throw new SlipwayError('BAD_REQUEST', `secret ${name}: the value cannot contain a newline or NUL (it is passed as an environment variable)`);
    if (value === '') throw new SlipwayError('BAD_REQUEST', `secret ${name}: the value is empty (an empty secret could not be masked)`);
    const p = await this.store.projects.require(project);
    const env = environment ?? projectLevel;
    await this.store.secrets.put(p.id, env, name, this.seal(aad(p.id, env, name), value));
  }

  async list(project: string, environment: Environment): Promise<SecretInfo[]> {
    check(environment);
    const p = await this.store.projects.require(project);
    return (await this.store.secrets.list(p.id, environment ?? projectLevel)).map((s) => ({ name: s.name, createdAt: s.created_at, updatedAt: s.updated_at }));
  }

  async remove(project: string, environment: Environment, name: string): Promise<void> {
    check(environment, name);
    const p = await this.store.projects.require(project);
    if (!(await this.store.secrets.remove(p.id, environment ?? projectLevel, name))) {
      throw new SlipwayError('SECRET_UNKNOWN', `secret ${name} is not set for ${environment === undefined ? `project ${project}` : `${project}/${environment}`}`);
    }
  }

  /** The values of `names` in an environment; a name without a value fails, naming every missing one. */
  async resolve(projectId: string, project: string, environment: string, names: readonly string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const missing: string[] = [];
    for (const name of names) {
      const row = await this.store.secrets.get(projectId, environment, name);
      if (row) out[name] = this.open(aad(projectId, environment, name), row.ciphertext);
      else missing.push(name);
    }
    if (missing.length > 0) {
      throw new SlipwayError('SECRET_MISSING', `deploy.yml lists secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, not set for ${project}/${environment}: slipway secrets set ${project} ${environment} ${missing[0]}`);
    }
    return out;
  }

  /** Every secret of the project (`environment` undefined) or of one environment, decrypted. */
  async all(projectId: string, environment: Environment): Promise<Record<string, string>> {
    const env = environment ?? projectLevel;
    const out: Record<string, string> = {};
    for (const row of await this.store.secrets.values(projectId, env)) out[row.name] = this.open(aad(projectId, env, row.name), row.ciphertext);
    return out;
  }
}

/** A job's `secrets` context and the lines its log gets about it. */
interface JobSecretValues {
  /** The project's secrets. */
  secrets: Record<string, string>;
  /** The environment's, when the job names one and may have them. */
  environment?: Record<string, string>;
  notes: string[];
}

/**
 * The `secrets` of a job (docs.github.com "Using secrets": an environment secret overrides a
 * project secret of the same name). `withheld`: why the environment's gate keeps its secrets
 * from this job; the job then sees the project's secrets only, and its log says why.
 */
export async function jobSecretValues(secrets: Secrets, projectId: string, environment: string | undefined, withheld: string | undefined): Promise<JobSecretValues> {
  const own = await secrets.all(projectId, undefined);
  if (environment === undefined) return { secrets: own, notes: [] };
  if (!isValidName(environment)) return { secrets: own, notes: [`##[warning]environment "${environment}" is not a valid environment name; the job gets no environment secrets`] };
  if (withheld !== undefined) return { secrets: own, notes: [`##[warning]The secrets of environment ${environment} are withheld from this job: ${withheld}`] };
  return { secrets: own, environment: await secrets.all(projectId, environment), notes: [] };
}

function aad(projectId: string, environment: string, name: string): string {
  return `${projectId}/${environment}/${name}`;
}

function check(environment: Environment, name?: string): void {
  if (environment !== undefined && !isValidName(environment)) throw new SlipwayError('INVALID_NAME', `invalid environment name "${environment}"`);
  if (name !== undefined && !secretName.test(name)) throw new SlipwayError('BAD_REQUEST', `invalid secret name "${name}": letters, digits and _, not starting with a digit`);
  // GitHub reserves the GITHUB_ prefix: the job token arrives as secrets.GITHUB_TOKEN.
  if (name !== undefined && /^GITHUB_/i.test(name)) throw new SlipwayError('BAD_REQUEST', `invalid secret name "${name}": names starting with GITHUB_ are reserved`);
}
