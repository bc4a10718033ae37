// A project's link to the forge it mirrors: kind, clone URL, the webhook secret and an
// optional API token (commit statuses, private clones). The secret and the token are
// encrypted with the server's secrets key exactly as project secrets are (AES-256-GCM,
// bound to project and purpose), and never leave the server: views show whether they are set.
import { SlipwayError } from '../../core/errors.ts';
import { SealedRecords } from '../../auth/sealed-records.ts';
import { mirrorUrlProblem } from '../../git/mirror-fetch.ts';
import type { ForgeKind } from './forge-kind.ts';

export interface ForgeLink {
  project: string;
  projectId: string;
  kind: ForgeKind;
  url: string;
  apiUrl: string | undefined;
  secret: string;
  token: string | undefined;
}

export interface ForgeLinkInput {
  kind: ForgeKind;
  url: string;
  apiUrl?: string;
  secret: string;
  token?: string;
}

/** What the API shows: never the secret or the token. */
export interface ForgeLinkView {
  project: string;
  kind: ForgeKind;
  url: string;
  apiUrl: string | null;
  hasToken: boolean;
  webhookPath: string;
  updatedBy: string;
  updatedAt: string;
}

const aad = (projectId: string, what: 'secret' | 'token') => `${projectId}/forge/${what}`;

/** Where a forge sends a project's webhooks. */
export const webhookPath = (project: string) => `/api/webhooks/${project}`;

export class ForgeLinks extends SealedRecords {
  async set(project: string, input: ForgeLinkInput, by: string): Promise<ForgeLinkView> {
    const problem = mirrorUrlProblem(input.url);
    if (problem) throw new SlipwayError('BAD_REQUEST', `url: ${problem}`);
    if (input.apiUrl !== undefined && !/^https?:\/\//.test(input.apiUrl)) throw new SlipwayError('BAD_REQUEST', 'apiUrl: expected an http(s) URL');
    // Short secrets make signatures guessable offline from one captured delivery.
    if (input.secret.length < 16) throw new SlipwayError('BAD_REQUEST', 'secret: at least 16 characters (a random string; the forge signs every delivery with it)');
    const p = await this.store.projects.require(project);
    await this.store.forges.put({
      project_id: p.id,
      kind: input.kind,
      url: input.url,
      api_url: input.apiUrl ?? null,
      secret: this.seal(aad(p.id, 'secret'), input.secret),
      token: input.token ? this.seal(aad(p.id, 'token'), input.token) : null,
      updated_by: by,
    });
    return (await this.view(project))!;
  }

  /** The project's link decrypted; undefined when the project or its link does not exist. */
  async get(project: string): Promise<ForgeLink | undefined> {
    const p = await this.store.projects.get(project);
    const row = p && (await this.store.forges.get(p.id));
    if (!p || !row) return undefined;
    return {
      project,
      projectId: p.id,
      kind: row.kind,
      url: row.url,
      apiUrl: row.api_url ?? undefined,
      secret: this.open(aad(p.id, 'secret'), row.secret),
      token: row.token === null ? undefined : this.open(aad(p.id, 'token'), row.token),
    };
  }

  async view(project: string): Promise<ForgeLinkView | undefined> {
    const p = await this.store.projects.require(project);
    const row = await this.store.forges.get(p.id);
    if (!row) return undefined;
    return { project, kind: row.kind, url: row.url, apiUrl: row.api_url, hasToken: row.token !== null, webhookPath: webhookPath(project), updatedBy: row.updated_by, updatedAt: row.updated_at };
  }

  async remove(project: string): Promise<void> {
    const p = await this.store.projects.require(project);
    if (!(await this.store.forges.remove(p.id))) throw new SlipwayError('NOT_FOUND', `project ${project} has no forge link`);
  }
}
