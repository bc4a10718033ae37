// Webhook signatures, checked over the raw body before anything in it is read:
// - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`
//   (docs.github.com "Validating webhook deliveries");
// - Gitea / Forgejo: `X-Gitea-Signature` / `X-Forgejo-Signature: <hex HMAC-SHA256>`
//   (docs.gitea.com "Webhooks"; Forgejo sends both headers);
// - GitLab: `X-Gitlab-Token: <the secret token>` itself (docs.gitlab.com "Webhooks" §Validate
//   payloads by using a secret token) — a shared token, not a signature.
// Every comparison is constant-time (both sides hashed to one length first).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ForgeKind } from './forge-kind.ts';

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function sameText(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Undefined when the delivery is signed with `secret`; otherwise what is wrong, for the 401. */
export function signatureProblem(kind: ForgeKind, headers: IncomingHttpHeaders, body: Buffer, secret: string): string | undefined {
  if (kind === 'gitlab') {
    const token = header(headers, 'x-gitlab-token');
    if (token === undefined) return 'missing X-Gitlab-Token header';
    return sameText(token, secret) ? undefined : 'X-Gitlab-Token does not match the project\'s webhook secret';
  }
  const hmac = createHmac('sha256', secret).update(body).digest('hex');
  if (kind === 'github') {
    const sent = header(headers, 'x-hub-signature-256');
    if (sent === undefined) return 'missing X-Hub-Signature-256 header';
    return sameText(sent.trim().toLowerCase(), `sha256=${hmac}`) ? undefined : 'X-Hub-Signature-256 does not match the body signed with the project\'s webhook secret';
  }
  const sent = header(headers, 'x-forgejo-signature') ?? header(headers, 'x-gitea-signature');
  if (sent === undefined) return 'missing X-Gitea-Signature (or X-Forgejo-Signature) header';
  return sameText(sent.trim().toLowerCase(), hmac) ? undefined : 'X-Gitea-Signature does not match the body signed with the project\'s webhook secret';
}

/** The forge's id of this delivery, the same on a redelivery (dedupe key). */
export function deliveryId(kind: ForgeKind, headers: IncomingHttpHeaders): { id?: string; header: string } {
  if (kind === 'github') return { id: header(headers, 'x-github-delivery'), header: 'X-GitHub-Delivery' };
  if (kind === 'gitea') return { id: header(headers, 'x-forgejo-delivery') ?? header(headers, 'x-gitea-delivery'), header: 'X-Gitea-Delivery' };
  // GitLab 17.4+ sends Idempotency-Key, the same on retries; X-Gitlab-Event-UUID before.
  return { id: header(headers, 'idempotency-key') ?? header(headers, 'x-gitlab-event-uuid'), header: 'X-Gitlab-Event-UUID' };
}

/** The forge's name of the event: `push`, `ping`, `Push Hook`, `Tag Push Hook`, … */
export function eventName(kind: ForgeKind, headers: IncomingHttpHeaders): { name?: string; header: string } {
  if (kind === 'github') return { name: header(headers, 'x-github-event'), header: 'X-GitHub-Event' };
  if (kind === 'gitea') return { name: header(headers, 'x-forgejo-event') ?? header(headers, 'x-gitea-event'), header: 'X-Gitea-Event' };
  return { name: header(headers, 'x-gitlab-event'), header: 'X-Gitlab-Event' };
}
