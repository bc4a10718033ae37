// Per-environment secrets: set, list (names and times only) and remove for the API, and
// resolve for a deployment. Values are encrypted before they reach the store.
import type { Store } from '../store/store.ts';
import { SlipwayError } from '../core/errors.ts';
import { isValidName } from '../core/ids.ts';
import { decryptSecret, encryptSecret } from './secrets-crypto.ts';

const secretName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface SecretInfo {
  name: string;
  createdAt: string;
  updatedAt: string;
}

export class Secrets {
  readonly #store: Store;
  readonly #key: Buffer;

  constructor(store: Store, key: Buffer) {
    this.#store = store;
    this.#key = key;
  }

  async set(project: string, environment: string, name: string, value: string): Promise<void> {
    check(environment, name);
    // --env-file carries one KEY=value per line (container-engine.ts).
    if (/[\r\n\0]/.test(value)) throw new SlipwayError('BAD_REQUEST', `secret ${name}: the value cannot contain a newline or NUL (it is passed as an environment variable)`);
    const p = await this.#store.projects.require(project);
    await this.#store.secrets.put(p.id, environment, name, encryptSecret(this.#key, aad(p.id, environment, name), value));
  }

  async list(project: string, environment: string): Promise<SecretInfo[]> {
    check(environment);
    const p = await this.#store.projects.require(project);
    return (await this.#store.secrets.list(p.id, environment)).map((s) => ({ name: s.name, createdAt: s.created_at, updatedAt: s.updated_at }));
  }

  async remove(project: string, environment: string, name: string): Promise<void> {
    check(environment, name);
    const p = await this.#store.projects.require(project);
    if (!(await this.#store.secrets.remove(p.id, environment, name))) throw new SlipwayError('SECRET_UNKNOWN', `secret ${name} is not set for ${project}/${environment}`);
  }

  /** The values of `names`; a name without a value fails, naming every missing one. */
  async resolve(projectId: string, project: string, environment: string, names: readonly string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const missing: string[] = [];
    for (const name of names) {
      const row = await this.#store.secrets.get(projectId, environment, name);
      if (row) out[name] = decryptSecret(this.#key, aad(projectId, environment, name), row.ciphertext);
      else missing.push(name);
    }
    if (missing.length > 0) {
      throw new SlipwayError('SECRET_MISSING', `deploy.yml lists secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, not set for ${project}/${environment}: slipway secrets set ${project} ${environment} ${missing[0]}`);
    }
    return out;
  }
}

function aad(projectId: string, environment: string, name: string): string {
  return `${projectId}/${environment}/${name}`;
}

function check(environment: string, name?: string): void {
  if (!isValidName(environment)) throw new SlipwayError('INVALID_NAME', `invalid environment name "${environment}"`);
  if (name !== undefined && !secretName.test(name)) throw new SlipwayError('BAD_REQUEST', `invalid secret name "${name}": letters, digits and _, not starting with a digit`);
}

/** Replaces every secret value in `text` with ***, longest first (one value may contain another). */
export function maskSecrets(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of [...values].filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) out = out.split(v).join('***');
  return out;
}
