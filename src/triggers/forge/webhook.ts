// Webhooks in from a forge (issue 12 item 5): a verified push or tag event mirrors the
// forge's commit into the project's repository and becomes a push event exactly as a
// `git push` to Slipway does (push-events.ts: recorded before it is acknowledged, then runs).
// Order, so that nothing partial happens: the project's link (404) → the body, bounded
// (413) → the signature over the raw body (401) → the delivery id and payload (400) → a
// delivery seen before answers without doing anything → fetch and set the ref → record the
// push event and the delivery id in one transaction → 202. Deliveries of one project are
// handled one at a time, so a redelivery racing its original waits and finds it recorded.
// GitHub's workflow_dispatch event starts that workflow as `POST …/dispatches` would.
import type { IncomingHttpHeaders } from 'node:http';
import { zeroSha, type PushEvent } from '../../core/types.ts';
import { isSlipwayError, SlipwayError } from '../../core/errors.ts';
import { KeyedSerial } from '../../core/serial.ts';
import type { GitHosting } from '../../git/hosting.ts';
import type { Store } from '../../store/store.ts';
import type { ForgeDelivery } from '../../store/repos/push-events.ts';
import { forgeAuthorization } from './forge-kind.ts';
import type { ForgeLinks } from './forge-links.ts';
import { deliveryId, eventName, signatureProblem } from './signature.ts';
import { forgeEvent } from './forge-event.ts';
import { dispatchWorkflow } from '../dispatch.ts';
import type { StartRunDeps } from '../../scheduler/start-run.ts';

/** GitHub caps payloads at 25 MB; a push of a few thousand commits stays far below this. */
export const webhookBodyLimit = 5 * 1024 * 1024;

export interface WebhookResult {
  status: 200 | 202;
  body: Record<string, unknown>;
}

interface WebhookDeps {
  store: Store;
  git: GitHosting;
  links: ForgeLinks;
  /** Records the event durably (with its delivery) and queues it into runs: PushEvents.received. */
  record: (event: PushEvent, delivery: ForgeDelivery) => Promise<unknown>;
  /** What a `workflow_dispatch` delivery starts its run with (as the API's dispatch does). */
  starter: StartRunDeps;
}

const noLink = (project: string) => new SlipwayError('NOT_FOUND', `no forge webhook is configured for project ${project}`);

export class ForgeWebhooks {
  readonly #deps: WebhookDeps;
  readonly #queues = new KeyedSerial();

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  /** The project's link before the body is read: an unknown project and one without a link look alike. */
  async linkOf(project: string) {
    const link = await this.#deps.links.get(project).catch((err: unknown) => {
      if (isSlipwayError(err, 'INVALID_NAME')) return undefined;
      throw err;
    });
    if (!link) throw noLink(project);
    return link;
  }

  async receive(project: string, headers: IncomingHttpHeaders, body: Buffer): Promise<WebhookResult> {
    const link = await this.linkOf(project);
    const bad = signatureProblem(link.kind, headers, body, link.secret);
    if (bad) throw new SlipwayError('SIGNATURE_INVALID', `webhook for project ${project} refused: ${bad}`);
    const event = eventName(link.kind, headers);
    if (!event.name) throw new SlipwayError('BAD_REQUEST', `missing ${event.header} header`);
    const delivery = deliveryId(link.kind, headers);
    if (!delivery.id || delivery.id.length > 200) throw new SlipwayError('BAD_REQUEST', `missing or overlong ${delivery.header} header (the delivery id that makes a redelivery start nothing twice)`);
    const parsed = forgeEvent(link.kind, event.name, body);
    const id = delivery.id;
    return this.#queues.run(link.projectId, async () => {
      const { store, git } = this.#deps;
      const seen = await store.forges.delivery(link.projectId, id);
      if (seen) return { status: 200, body: { delivery: id, duplicate: true, pushEvent: seen.push_event_id } };
      if (parsed.kind === 'dispatch') {
        // The run is of the mirror's head of the ref, which the forge's push webhooks keep
        // current; started first, then the delivery recorded, so a refused dispatch (no such
        // workflow, invalid inputs) can be fixed and redelivered.
        const run = await dispatchWorkflow(this.#deps.starter, project, parsed.workflow.split('/').pop()!, parsed.ref, parsed.inputs, parsed.sender);
        await store.forges.recordDelivery(link.projectId, id, event.name!);
        return { status: 202, body: { delivery: id, project, run: run.id, number: run.number } };
      }
      if (parsed.kind !== 'push') {
        await store.forges.recordDelivery(link.projectId, id, event.name!);
        return parsed.kind === 'ping' ? { status: 200, body: { delivery: id, pong: true } } : { status: 200, body: { delivery: id, ignored: parsed.reason } };
      }
      const before = git.exists(project) ? ((await git.refs(project)).get(parsed.ref) ?? zeroSha) : zeroSha;
      if (before === parsed.after) {
        // Already mirrored (a delivery whose record a crash prevented, found again at start-up).
        await store.forges.recordDelivery(link.projectId, id, event.name!);
        return { status: 200, body: { delivery: id, unchanged: true, ref: parsed.ref, after: parsed.after } };
      }
      const authorization = link.token ? forgeAuthorization(link.kind, link.token, 'git') : undefined;
      await git.mirror(project, { url: link.url, authorization }, parsed.ref, parsed.after);
      const push: PushEvent = { project, ref: parsed.ref, before, after: parsed.after, pusher: parsed.pusher };
      try {
        await this.#deps.record(push, { projectId: link.projectId, id, event: event.name! });
      } catch (err) {
        if (isSlipwayError(err, 'CONFLICT')) return { status: 200, body: { delivery: id, duplicate: true } };
        throw err;
      }
      return { status: 202, body: { delivery: id, project, ref: push.ref, before, after: push.after } };
    });
  }

}
