// Every HTTP call Slipway makes to someone else's server about what happened (commit
// statuses to a forge, notification webhooks): one POST, retried with exponential backoff
// on network errors, 408, 429 and 5xx, each logged in the store's delivery log as it goes.
// Sending never blocks what it reports on: callers do not wait, and a slow or dead receiver
// only delays its own deliveries (each attempt has a timeout).
import type { Store } from '../store/store.ts';

export interface OutgoingRequest {
  projectId: string;
  /** `status` or a notification hook's id. */
  target: string;
  url: string;
  /** What the log shows instead of `url`, which may itself be a credential (Slack's are). */
  shownUrl: string;
  subject: string;
  state: string;
  headers: Record<string, string>;
  body: string;
}

export interface OutboxOptions {
  store: Store;
  log: (message: string) => void;
  /** Attempts in all; default 5. */
  attempts?: number;
  /** First retry after this long, doubling each time; default 1000 ms. */
  backoffMs?: number;
  /** One attempt's limit; default 10 s. */
  timeoutMs?: number;
  /** Keeps the promise so shutdown can wait (the composition root's `track`). */
  track?: (work: Promise<unknown>) => void;
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export class Outbox {
  readonly #o: Required<Omit<OutboxOptions, 'track'>> & Pick<OutboxOptions, 'track'>;
  #closed = false;
  readonly #timers = new Set<{ wake: () => void; timer: NodeJS.Timeout }>();

  constructor(options: OutboxOptions) {
    this.#o = { attempts: 5, backoffMs: 1000, timeoutMs: 10_000, ...options };
  }

  /** Queues the request; the returned promise (also tracked) settles when it was delivered or given up. */
  send(request: OutgoingRequest): Promise<void> {
    const work = this.#deliver(request).catch((err: unknown) => this.#o.log(`outgoing ${request.subject} to ${request.shownUrl}: ${(err as Error).stack ?? String(err)}`));
    this.#o.track?.(work);
    return work;
  }

  /** Stops waiting between retries: pending deliveries make their last attempt now or give up. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) {
      clearTimeout(t.timer);
      t.wake();
    }
  }

  async #deliver(r: OutgoingRequest): Promise<void> {
    const { store } = this.#o;
    const row = await store.notifications.startDelivery({ project_id: r.projectId, target: r.target, url: r.shownUrl, subject: r.subject, state: r.state });
    let error: string | null = null;
    let code: number | null = null;
    for (let attempt = 1; attempt <= this.#o.attempts; attempt++) {
      let again = false;
      try {
        const res = await fetch(r.url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'Slipway', ...r.headers }, body: r.body, redirect: 'manual', signal: AbortSignal.timeout(this.#o.timeoutMs) });
        code = res.status;
        const text = (await res.text()).slice(0, 300);
        if (res.ok) {
          await store.notifications.updateDelivery(row.id, { status: 'delivered', attempts: attempt, response_code: code, error: null });
          return;
        }
        error = `HTTP ${res.status}${text ? `: ${text}` : ''}`;
        again = retryable(res.status);
      } catch (err) {
        code = null;
        error = (err as Error).message;
        again = true;
      }
      const last = !again || attempt === this.#o.attempts || this.#closed;
      await store.notifications.updateDelivery(row.id, { status: last ? 'failed' : 'pending', attempts: attempt, response_code: code, error });
      if (last) {
        this.#o.log(`outgoing ${r.subject} to ${r.shownUrl}: gave up after ${attempt} attempt(s): ${error}`);
        return;
      }
      await this.#sleep(this.#o.backoffMs * 2 ** (attempt - 1));
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = { wake: resolve, timer: setTimeout(() => (this.#timers.delete(entry), resolve()), ms) };
      this.#timers.add(entry);
    });
  }
}
