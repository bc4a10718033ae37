// A verified delivery's payload → what Slipway does with it. Only the fields read are kept
// (zod strips the rest); a missing or malformed one is a 400 naming it. Push and tag events
// are the same shape on each forge (docs.github.com "Webhook events and payloads" § push;
// docs.gitlab.com "Webhook events" § Push events, § Tag events; docs.gitea.com "Webhooks").
import { z } from 'zod';
import { SlipwayError } from '../../core/errors.ts';
import type { ForgeKind } from './forge-kind.ts';

export type ForgeEvent =
  | { kind: 'push'; ref: string; after: string; pusher: string }
  | { kind: 'dispatch'; ref: string; workflow: string; inputs: Record<string, unknown>; sender: string }
  | { kind: 'ping' }
  | { kind: 'ignored'; reason: string };

const sha = z.string().regex(/^[0-9a-f]{40}$/, 'expected a 40-hex commit id');
const ref = z.string().regex(/^refs\/(heads|tags)\/\S+$/, 'expected refs/heads/<branch> or refs/tags/<tag>');
const name = z.string().min(1).max(200);

const githubPush = z.object({ ref, after: sha, pusher: z.object({ name }) });
const giteaPush = z.object({ ref, after: sha, pusher: z.object({ login: name.optional(), username: name.optional() }) });
const gitlabPush = z.object({ ref, after: sha, user_username: name });
// docs.github.com "Webhook events and payloads" § workflow_dispatch: no commit, the ref's head.
const githubDispatch = z.object({ ref, workflow: z.string().min(1).max(500), inputs: z.record(z.string(), z.unknown()).nullable().optional(), sender: z.object({ login: name }) });

function parse<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const r = schema.safeParse(payload);
  if (!r.success) throw new SlipwayError('BAD_REQUEST', `${what} payload: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** `event`: the forge's event header (eventName). Throws BAD_REQUEST for a payload that is not what the event promises. */
export function forgeEvent(kind: ForgeKind, event: string, body: Buffer): ForgeEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new SlipwayError('BAD_REQUEST', `webhook body is not JSON (send it as application/json): ${(err as Error).message}`);
  }
  if (kind === 'github') {
    if (event === 'ping') return { kind: 'ping' };
    if (event === 'workflow_dispatch') {
      const p = parse(githubDispatch, payload, 'GitHub workflow_dispatch');
      return { kind: 'dispatch', ref: p.ref, workflow: p.workflow, inputs: p.inputs ?? {}, sender: p.sender.login };
    }
    if (event !== 'push') return { kind: 'ignored', reason: `GitHub event ${event} starts nothing (push, tag and workflow_dispatch events do)` };
    const p = parse(githubPush, payload, 'GitHub push');
    return { kind: 'push', ref: p.ref, after: p.after, pusher: p.pusher.name };
  }
  if (kind === 'gitea') {
    // Tags arrive as push events too; `create` would repeat them.
    if (event !== 'push') return { kind: 'ignored', reason: `Gitea event ${event} starts nothing (push events, branches and tags, do)` };
    const p = parse(giteaPush, payload, 'Gitea push');
    const pusher = p.pusher.login ?? p.pusher.username;
    if (!pusher) throw new SlipwayError('BAD_REQUEST', 'Gitea push payload: pusher.login: required');
    return { kind: 'push', ref: p.ref, after: p.after, pusher };
  }
  if (event !== 'Push Hook' && event !== 'Tag Push Hook') return { kind: 'ignored', reason: `GitLab event ${event} starts nothing (Push Hook and Tag Push Hook do)` };
  const p = parse(gitlabPush, payload, `GitLab ${event}`);
  return { kind: 'push', ref: p.ref, after: p.after, pusher: p.user_username };
}
