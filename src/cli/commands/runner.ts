// `slipway runner`: a remote runner. `register` trades an admin's registration token for a
// runner credential, kept in DIR/runner.json (0600); without an action it takes jobs from
// that server over HTTP (src/runner/protocol/http-client.ts) until SIGINT/SIGTERM, until an
// admin drains it (it finishes what it runs, then exits 0) or removes it (its credential is
// refused: it stops at once and exits 1). Several --server URLs (replicas of one
// installation) are tried in turn when one cannot be reached.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from '../command.ts';
import { str } from '../command.ts';
import { CliError } from '../client.ts';
import { Runner } from '../../runner/runner.ts';
import { connectHttpRunnerApi } from '../../runner/protocol/http-client.ts';
import { executorFactory } from '../../runner/create-executor.ts';
import { builtinJobImage } from '../../config/runner-labels.ts';
import { version } from '../../core/version.ts';
import { ActionTreeCache } from '../../runner/protocol/http-action-trees.ts';
import { schedulePrune } from '../../git/actions/action-cache-prune.ts';
import { parseDuration } from '../../core/duration.ts';

/** What `register` keeps: the only copy of the credential. */
interface RunnerFile {
  /** The first of `servers` (files written before failover have only this). */
  server: string;
  servers?: string[];
  /** Jobs at once unless `slipway runner --concurrency` says otherwise. */
  concurrency?: number;
  name: string;
  /** runs-on label → job image (`builtin`: the built-in job image). */
  labels: Record<string, string>;
  credential: string;
}

const usage = 'register --server URL[,URL…] --token TOKEN [--name N] [--labels a,b=image] [--concurrency N] [--data DIR] | [--data DIR] [--concurrency N] [--heartbeat-seconds S] [--action-cache-max-age D]';

const runnerDir = (flag: string | undefined) => resolve(flag ?? process.env.SLIPWAY_RUNNER_DATA ?? join(homedir(), '.slipway-runner'));

/** `a,b=image`: each label runs in the built-in job image unless it names one. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [label, image] = part.split('=', 2) as [string, string | undefined];
    if (!label) throw new CliError(`--labels: empty label in "${text}"`, 2);
    labels[label] = image || builtinJobImage;
  }
  return labels;
}

/** `--server` given more than once and/or as a comma list: the servers in order, without trailing slashes. */
export function parseServers(flag: unknown): string[] {
  const given = Array.isArray(flag) ? (flag as unknown[]) : flag === undefined ? [] : [flag];
  return [...new Set(given.flatMap((v) => String(v).split(',')).map((u) => u.trim().replace(/\/+$/, '')).filter(Boolean))];
}

function parseConcurrency(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new CliError(`--concurrency must be a whole number from 1 to 1000, not "${text}"`, 2);
  return n;
}

/** The first server that answers `call` at all (any status); one that cannot be reached hands over to the next. */
async function firstAnswer(servers: readonly string[], call: (server: string) => Promise<Response>): Promise<{ server: string; res: Response }> {
  const failures: string[] = [];
  for (const server of servers) {
    try {
      return { server, res: await call(server) };
    } catch (err) {
      failures.push(`${server}: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`);
    }
  }
  throw new CliError(`cannot reach the Slipway server${servers.length > 1 ? 's' : ''} at ${failures.join('; ')}`);
}

async function register(dir: string, values: Record<string, unknown>): Promise<number> {
  const servers = parseServers(values.server);
  const token = str(values.token as string);
  const concurrency = parseConcurrency(str(values.concurrency as string));
  if (servers.length === 0 || !token) throw new CliError(`usage: slipway runner ${usage}`, 2);
  const name = str(values.name as string) ?? hostname().toLowerCase().replace(/[^a-z0-9._-]/g, '-');
  const labels = parseLabels(str(values.labels as string) ?? 'self-hosted');
  // Registering with one is enough: the servers given share one installation (one database); the first that answers does.
  const { server, res } = await firstAnswer(servers, (s) => fetch(`${s}/api/runner/register`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name, labels: Object.keys(labels) }),
  }));
  const answer = (await res.json()) as { credential?: string; error?: { message: string } };
  if (!res.ok || !answer.credential) throw new CliError(`registering runner ${name} at ${server}: ${res.status} ${answer.error?.message ?? ''}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'runner.json');
  const saved: RunnerFile = { server: servers[0]!, ...(servers.length > 1 ? { servers } : {}), ...(concurrency ? { concurrency } : {}), name, labels, credential: answer.credential };
  writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // An existing file keeps its mode otherwise.
  console.log(`registered runner ${name} (labels ${Object.keys(labels).join(', ')}${concurrency ? `, ${concurrency} jobs at once` : ''}) with ${servers.join(', ')}; credential in ${file}`);
  return 0;
}

async function run(dir: string, values: Record<string, unknown>): Promise<number> {
  const file = join(dir, 'runner.json');
  if (!existsSync(file)) throw new CliError(`no runner registered in ${dir}: run \`slipway runner register --server URL --token TOKEN --data ${dir}\` first`);
  const config = JSON.parse(readFileSync(file, 'utf8')) as RunnerFile;
  const concurrency = parseConcurrency(str(values.concurrency as string)) ?? config.concurrency ?? 1;
  const heartbeatSeconds = Number(str(values['heartbeat-seconds'] as string) ?? '5');
  if (!(heartbeatSeconds > 0)) throw new CliError('--heartbeat-seconds must be a positive number', 2);
  const cacheMaxAge = str(values['action-cache-max-age'] as string) ?? '720h';
  const cacheMaxAgeMs = cacheMaxAge === 'off' ? 0 : parseDuration(cacheMaxAge);
  if (cacheMaxAgeMs === undefined) throw new CliError(`--action-cache-max-age: expected a duration such as 720h or 30m, or off; found "${cacheMaxAge}"`, 2);
  const servers = config.servers ?? [config.server];
  const stopping = new AbortController();
  // Why the runner stops: a signal, an admin's drain (finish, exit 0) or removal (stop now, exit 1).
  let stopFor: (why: Stop) => void = () => {};
  const stopped = new Promise<Stop>((done) => (stopFor = done));
  // Removal can also come while draining or stopping on a signal: its jobs were re-queued, so waiting for them ends.
  const refused = new AbortController();
  // Remote actions' trees by SHA, pruned when unused for --action-cache-max-age (now, then daily).
  const actionTrees = new ActionTreeCache(async () => join(dir, 'actions'));
  const stopPrune = schedulePrune(async () => {
    await actionTrees.prune(cacheMaxAgeMs);
  }, (m) => process.stderr.write(`slipway runner: ${m}\n`));
  const api = await connectHttpRunnerApi({
    // Idempotent calls ride out a server restart of about 30 s (backoff 0.1 s doubling to 5 s, 12 tries).
    server: servers, credential: config.credential, signal: stopping.signal, about: { concurrency, version }, attempts: 12, actionTrees,
    onState: (state) => state === 'draining' && stopFor({ kind: 'drained' }),
    onRefused: (err) => {
      if (!refused.signal.aborted) refused.abort(err.message);
      stopFor({ kind: 'refused' });
    },
  });
  const runner = new Runner({
    api, name: config.name, labels: Object.keys(config.labels), concurrency, workDir: join(dir, 'work'), serverUrl: servers[0]!, heartbeatMs: heartbeatSeconds * 1000,
    createExecutor: executorFactory({ namePrefix: `slipway-${config.name}`, labels: config.labels }),
    onError: (err) => process.stderr.write(`slipway runner: ${(err as Error).message}\n`),
  });
  runner.start();
  console.log(`runner ${config.name} taking up to ${concurrency} job(s) at once labelled ${Object.keys(config.labels).join(', ')} from ${servers.join(', ')}`);
  const onSignal = () => stopFor({ kind: 'signal' });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const why = await stopped;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (why.kind === 'drained') console.log(`runner ${config.name} is draining (slipway runners drain): finishing the jobs it runs, taking no new ones`);
  // Draining waits for every job; a signal gives them a minute; a removed runner's jobs were
  // re-queued already, so they stop now. What is killed is left unreported, for the server to re-queue.
  const finished = runner.stop(why.kind === 'drained' ? Infinity : why.kind === 'signal' ? 60_000 : 0);
  if (refused.signal.aborted) void runner.stop(0);
  else refused.signal.addEventListener('abort', () => void runner.stop(0), { once: true });
  await finished;
  stopPrune();
  stopping.abort();
  if (refused.signal.aborted) {
    process.stderr.write(`slipway runner: runner ${config.name} stops: the server refused its credential (${String(refused.signal.reason)}); an admin removed it or revoked its credential, so register it again (slipway runner register) to take jobs\n`);
    return 1;
  }
  if (why.kind === 'drained') console.log(`runner ${config.name} drained: its jobs are finished, exiting (slipway runners resume ${config.name} lets it take jobs again)`);
  return 0;
}

type Stop = { kind: 'signal' | 'drained' | 'refused' };

export const runnerCommand: Command = {
  name: 'runner',
  summary: 'a remote runner: register it with a server, then take jobs from it over HTTP',
  usage,
  help: `  register       trade a registration token (slipway runners token create) for this runner's credential
  --server URL   the Slipway server; give it more than once (or URL,URL) for servers of one installation, tried in turn
  --token T      the registration token
  --name N       the runner's name (default: the host name)
  --labels L     runs-on labels it offers, comma-separated; label=image runs that label in an image (default: self-hosted)
  --concurrency N        jobs at once (register stores it; running with it overrides; default 1)
  (no action)    take jobs until SIGINT or SIGTERM, until drained (exits 0 once idle) or removed (exits 1)
  --heartbeat-seconds S  how often a running job's lease is renewed (default 5; keep it under a third of the server's leaseSeconds)
  --action-cache-max-age D  remote actions' trees (DIR/actions) unused this long are removed (default 720h; off: never)
  --data DIR     where runner.json, job folders and remote actions' trees live (default: SLIPWAY_RUNNER_DATA or ~/.slipway-runner)`,
  options: { server: { type: 'string', multiple: true }, token: { type: 'string' }, name: { type: 'string' }, labels: { type: 'string' }, data: { type: 'string' }, concurrency: { type: 'string' }, 'heartbeat-seconds': { type: 'string' }, 'action-cache-max-age': { type: 'string' } },
  async run(values, [action]) {
    const dir = runnerDir(str(values.data));
    if (action === 'register') return register(dir, values);
    if (action === undefined) return run(dir, values);
    throw new CliError(`unknown action "${action}": use register, or none to run`, 2);
  },
};
