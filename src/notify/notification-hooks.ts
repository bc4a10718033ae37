// A project's outgoing notification webhooks: a generic JSON one or a Slack-compatible one
// (`{"text": …}`, what Slack, Mattermost and Rocket.Chat incoming webhooks take). The URL
// (Slack's is itself the credential) and the signing secret are encrypted like project
// secrets; views show the URL's origin only. Every delivery carries
// `X-Slipway-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>` so a receiver can verify it.
import { createHmac } from 'node:crypto';
import { SlipwayError } from '../core/errors.ts';
import { SealedRecords } from '../auth/sealed-records.ts';

export const hookKinds = ['json', 'slack'] as const;
export type HookKind = (typeof hookKinds)[number];

export interface HookView {
  id: string;
  kind: HookKind;
  /** The URL's origin: the rest may be a credential. */
  target: string;
  createdBy: string;
  createdAt: string;
}

export interface ActiveHook {
  id: string;
  kind: HookKind;
  url: string;
  shownUrl: string;
  secret: string;
}

const aad = (projectId: string, id: string, what: 'url' | 'secret') => `${projectId}/notification/${id}/${what}`;
const shown = (url: string) => `${new URL(url).origin}/…`;

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export class NotificationHooks extends SealedRecords {
  async add(project: string, input: { kind: HookKind; url: string; secret: string }, by: string): Promise<HookView> {
    let u: URL;
    try {
      u = new URL(input.url);
    } catch {
      throw new SlipwayError('BAD_REQUEST', `url: not a URL: ${JSON.stringify(input.url)}`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new SlipwayError('BAD_REQUEST', `url: only http(s) webhooks are sent, not ${u.protocol}`);
    if (input.secret.length < 16) throw new SlipwayError('BAD_REQUEST', 'secret: at least 16 characters (the receiver verifies X-Slipway-Signature-256 with it)');
    const p = await this.store.projects.require(project);
    // The id is part of what the ciphertexts are bound to, so it is made before they are.
    const row = await this.store.notifications.addHook({ project_id: p.id, kind: input.kind, url: '', secret: '', created_by: by });
    await this.store.db
      .updateTable('notification_hooks')
      .set({ url: this.seal(aad(p.id, row.id, 'url'), input.url), secret: this.seal(aad(p.id, row.id, 'secret'), input.secret) })
      .where('id', '=', row.id)
      .execute();
    return { id: row.id, kind: input.kind, target: shown(input.url), createdBy: by, createdAt: row.created_at };
  }

  async list(project: string): Promise<HookView[]> {
    const p = await this.store.projects.require(project);
    return (await this.store.notifications.hooks(p.id)).map((r) => ({ id: r.id, kind: r.kind, target: shown(this.#url(p.id, r)), createdBy: r.created_by, createdAt: r.created_at }));
  }

  /** The project's hooks, decrypted, for sending. */
  async active(projectId: string): Promise<ActiveHook[]> {
    return (await this.store.notifications.hooks(projectId)).map((r) => {
      const url = this.#url(projectId, r);
      return { id: r.id, kind: r.kind, url, shownUrl: shown(url), secret: this.open(aad(projectId, r.id, 'secret'), r.secret) };
    });
  }

  #url(projectId: string, r: { id: string; url: string }): string {
    return this.open(aad(projectId, r.id, 'url'), r.url);
  }

  async remove(project: string, id: string): Promise<void> {
    const p = await this.store.projects.require(project);
    if (!(await this.store.notifications.removeHook(p.id, id))) throw new SlipwayError('NOT_FOUND', `project ${project} has no notification webhook ${id}`);
  }
}
