// /metrics in Prometheus' text format (prom-client), every name prefixed `slipway_`:
// runs and jobs by status and runners online/busy (read from the store at each scrape, so
// they are right after a restart and across servers), queue wait and job duration (the
// scheduler's 'job-started' / 'job-ended' facts), deployments by environment and outcome
// with durations (observed as they finish, from the event bus), HTTP requests by route and
// status, registry bytes in/out, and Node's own (event-loop lag, heap, GC, CPU) from
// collectDefaultMetrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../../store/store.ts';
import type { EventBus } from '../../core/events.ts';
import { isDeploymentFinished } from '../../core/types.ts';
import type { RequestRecord } from '../http/observe-requests.ts';

export interface MetricsDeps {
  store: Store;
  events: EventBus;
  /** How recently a runner must have been seen to count as online (the lease). */
  onlineMs: () => number;
  log: (message: string) => void;
  track: (p: Promise<unknown>) => void;
}

const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
// Jobs and deploys take from a second to an hour; requests from a millisecond to a minute.
const jobBuckets = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const waitBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const httpMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Ids already observed (a deployment reports each state more than once); the oldest go past `max`. */
class SeenOnce {
  readonly #ids = new Set<string>();
  readonly #max = 10_000;
  first(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.#max) this.#ids.delete(this.#ids.values().next().value!);
    return true;
  }
}

export class PrometheusMetrics {
  readonly registry = new Registry();
  readonly #d: MetricsDeps;
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #requestSeconds: Histogram<'method' | 'route'>;
  readonly #registryBytes: Counter<'direction'>;
  readonly #queueWait: Histogram;
  readonly #jobSeconds: Histogram<'status'>;
  readonly #deployments: Counter<'environment' | 'outcome'>;
  readonly #deploySeconds: Histogram<'environment' | 'outcome'>;
  readonly #deployed = new SeenOnce();

  constructor(deps: MetricsDeps) {
    this.#d = deps;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'slipway_' });
    // prom-client's totals of active handles, requests and resources are gauges named
    // `_total`, which `promtool check metrics` rejects; the same figures stay, by type, in
    // slipway_nodejs_active_{handles,requests,resources}.
    for (const name of ['handles', 'requests', 'resources']) this.registry.removeSingleMetric(`slipway_nodejs_active_${name}_total`);
    this.#requests = new Counter({ name: 'slipway_http_requests_total', help: 'HTTP requests answered, by method, route template and status', labelNames: ['method', 'route', 'status'], registers });
    this.#requestSeconds = new Histogram({ name: 'slipway_http_request_duration_seconds', help: 'Time from request to the end of its answer', labelNames: ['method', 'route'], registers });
    this.#registryBytes = new Counter({ name: 'slipway_registry_bytes_total', help: 'Bytes the registry received (in: pushes) and sent (out: pulls), headers included', labelNames: ['direction'], registers });
    this.#queueWait = new Histogram({ name: 'slipway_job_queue_wait_seconds', help: 'From a job becoming runnable (created, or its last need finished) to a runner starting it', buckets: waitBuckets, registers });
    this.#jobSeconds = new Histogram({ name: 'slipway_job_duration_seconds', help: 'Job run time, by how it ended', labelNames: ['status'], buckets: jobBuckets, registers });
    this.#deployments = new Counter({ name: 'slipway_deployments_total', help: 'Deployments finished, by environment and outcome', labelNames: ['environment', 'outcome'], registers });
    this.#deploySeconds = new Histogram({ name: 'slipway_deployment_duration_seconds', help: 'Deployment time from start to end, by environment and outcome', labelNames: ['environment', 'outcome'], buckets: jobBuckets, registers });
    const { store } = deps;
    const byStatus = (name: string, help: string, pick: (c: Awaited<ReturnType<Store['runs']['countByStatus']>>) => Record<string, number | undefined>) =>
      new Gauge({
        name, help, labelNames: ['status'], registers,
        async collect() {
          this.reset();
          for (const [status, n] of Object.entries(pick(await store.runs.countByStatus()))) this.set({ status }, n ?? 0);
        },
      });
    byStatus('slipway_runs', 'Runs by status', (c) => c.runs);
    byStatus('slipway_jobs', 'Jobs by status', (c) => c.jobs);
    new Gauge({
      name: 'slipway_runners', help: 'Runners seen within a lease (online), and those of them running a job (busy)', labelNames: ['state'], registers,
      async collect() {
        const since = Date.now() - deps.onlineMs();
        const online = (await store.runners.list()).filter((r) => Date.parse(r.lastSeenAt) >= since).map((r) => r.name);
        const busy = new Set((await store.runs.runningJobs()).map((j) => j.runner));
        this.set({ state: 'online' }, online.length);
        this.set({ state: 'busy' }, online.filter((n) => busy.has(n)).length);
      },
    });
  }

  /** The HTTP request sink (observe-requests.ts). */
  readonly request = (r: RequestRecord): void => {
    const method = httpMethods.has(r.method) ? r.method : 'other';
    this.#requests.inc({ method, route: r.route, status: String(r.status) });
    this.#requestSeconds.observe({ method, route: r.route }, r.seconds);
    if (r.area === 'registry') {
      this.#registryBytes.inc({ direction: 'in' }, r.bytesIn);
      this.#registryBytes.inc({ direction: 'out' }, r.bytesOut);
    }
  };

  /** Follows jobs and deployments as they start and finish; returns the unsubscribe. */
  start(): () => void {
    const { events, log, track } = this.#d;
    const onDeployment = (id: string) => track(this.#deployment(id).catch((err: unknown) => log(`metrics: deployment ${id}: ${(err as Error).message}`)));
    // What another server did is counted there (onLocal): summed over servers, each change counts once.
    // A job's times come with the scheduler's events (its claim and its end are compare-and-sets,
    // so each attempt starts and ends once): no read of the store per event.
    const offs = [
      events.onLocal('job-started', (_job, _run, queueSeconds) => this.#queueWait.observe(queueSeconds)),
      events.onLocal('job-ended', (_job, _run, status, ran) => this.#jobSeconds.observe({ status }, ran)),
      events.onLocal('deployment-updated', onDeployment),
    ];
    return () => offs.forEach((off) => off());
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async #deployment(id: string): Promise<void> {
    const d = await this.#d.store.deployments.get(id);
    if (!d || !isDeploymentFinished(d.status) || !this.#deployed.first(id)) return;
    const labels = { environment: d.environment, outcome: d.status };
    this.#deployments.inc(labels);
    if (d.started_at && d.finished_at) this.#deploySeconds.observe(labels, seconds(d.started_at, d.finished_at));
  }
}
