// `slipway runner`: a remote runner. `register` trades an admin's registration token for a
// runner credential, kept in DIR/runner.json (0600); without an action it takes jobs from
// that server over HTTP (src/runner/protocol/http-client.ts) until SIGINT/SIGTERM.
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
import { ActionTreeCache } from '../../runner/protocol/http-action-trees.ts';
import { schedulePrune } from '../../git/actions/action-cache-prune.ts';
import { parseDuration } from '../../core/duration.ts';

/** What `register` keeps: the only copy of the credential. */
interface RunnerFile {
  server: string;
  name: string;
  /** runs-on label → job image (`builtin`: the built-in job image). */
  labels: Record<string, string>;
  credential: string;
}

const usage = 'register --server URL --token TOKEN [--name N] [--labels a,b=image] [--data DIR] | [--data DIR] [--concurrency N] [--heartbeat-seconds S] [--action-cache-max-age D]';

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

async function register(dir: string, values: Record<string, unknown>): Promise<number> {
  const server = str(values.server as string)?.replace(/\/+$/, '');
  const token = str(values.token as string);
  if (!server || !token) throw new CliError(`usage: slipway runner ${usage}`, 2);
  const name = str(values.name as string) ?? hostname().toLowerCase().replace(/[^a-z0-9._-]/g, '-');
  const labels = parseLabels(str(values.labels as string) ?? 'self-hosted');
  const res = await fetch(`${server}/api/runner/register`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name, labels: Object.keys(labels) }),
  }).catch((err: Error) => {
    throw new CliError(`cannot reach the Slipway server at ${server}: ${(err.cause as Error | undefined)?.message ?? err.message}`);
  });
  const answer = (await res.json()) as { credential?: string; error?: { message: string } };
  if (!res.ok || !answer.credential) throw new CliError(`registering runner ${name} at ${server}: ${res.status} ${answer.error?.message ?? ''}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'runner.json');
  writeFileSync(file, `${JSON.stringify({ server, name, labels, credential: answer.credential } satisfies RunnerFile, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // An existing file keeps its mode otherwise.
  console.log(`registered runner ${name} (labels ${Object.keys(labels).join(', ')}) with ${server}; credential in ${file}`);
  return 0;
}

async function run(dir: string, values: Record<string, unknown>): Promise<number> {
  const file = join(dir, 'runner.json');
  if (!existsSync(file)) throw new CliError(`no runner registered in ${dir}: run \`slipway runner register --server URL --token TOKEN --data ${dir}\` first`);
  const config = JSON.parse(readFileSync(file, 'utf8')) as RunnerFile;
  const concurrency = Number(str(values.concurrency as string) ?? '1');
  const heartbeatSeconds = Number(str(values['heartbeat-seconds'] as string) ?? '5');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new CliError('--concurrency must be a whole number of at least 1', 2);
  if (!(heartbeatSeconds > 0)) throw new CliError('--heartbeat-seconds must be a positive number', 2);
  const cacheMaxAge = str(values['action-cache-max-age'] as string) ?? '720h';
  const cacheMaxAgeMs = cacheMaxAge === 'off' ? 0 : parseDuration(cacheMaxAge);
  if (cacheMaxAgeMs === undefined) throw new CliError(`--action-cache-max-age: expected a duration such as 720h or 30m, or off; found "${cacheMaxAge}"`, 2);
  const stopping = new AbortController();
  // Remote actions' trees by SHA, pruned when unused for --action-cache-max-age (now, then daily).
  const actionTrees = new ActionTreeCache(async () => join(dir, 'actions'));
  const stopPrune = schedulePrune(async () => {
    await actionTrees.prune(cacheMaxAgeMs);
  }, (m) => process.stderr.write(`slipway runner: ${m}\n`));
  const api = await connectHttpRunnerApi({ server: config.server, credential: config.credential, signal: stopping.signal, actionTrees });
  const runner = new Runner({
    api, name: config.name, labels: Object.keys(config.labels), concurrency, workDir: join(dir, 'work'), serverUrl: config.server, heartbeatMs: heartbeatSeconds * 1000,
    createExecutor: executorFactory({ namePrefix: `slipway-${config.name}`, labels: config.labels }),
    onError: (err) => process.stderr.write(`slipway runner: ${(err as Error).message}\n`),
  });
  runner.start();
  console.log(`runner ${config.name} taking jobs labelled ${Object.keys(config.labels).join(', ')} from ${config.server}`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // Running jobs get a minute to finish; then they are killed, unreported, for the server to re-queue.
  await runner.stop(60_000);
  stopPrune();
  stopping.abort();
  return 0;
}

export const runnerCommand: Command = {
  name: 'runner',
  summary: 'a remote runner: register it with a server, then take jobs from it over HTTP',
  usage,
  help: `  register       trade a registration token (slipway runners token create) for this runner's credential
  --server URL   the Slipway server
  --token T      the registration token
  --name N       the runner's name (default: the host name)
  --labels L     runs-on labels it offers, comma-separated; label=image runs that label in an image (default: self-hosted)
  (no action)    take jobs until SIGINT or SIGTERM
  --concurrency N        jobs at once (default 1)
  --heartbeat-seconds S  how often a running job's lease is renewed (default 5; keep it under a third of the server's leaseSeconds)
  --action-cache-max-age D  remote actions' trees (DIR/actions) unused this long are removed (default 720h; off: never)
  --data DIR     where runner.json, job folders and remote actions' trees live (default: SLIPWAY_RUNNER_DATA or ~/.slipway-runner)`,
  options: { server: { type: 'string' }, token: { type: 'string' }, name: { type: 'string' }, labels: { type: 'string' }, data: { type: 'string' }, concurrency: { type: 'string' }, 'heartbeat-seconds': { type: 'string' }, 'action-cache-max-age': { type: 'string' } },
  async run(values, [action]) {
    const dir = runnerDir(str(values.data));
    if (action === 'register') return register(dir, values);
    if (action === undefined) return run(dir, values);
    throw new CliError(`unknown action "${action}": use register, or none to run`, 2);
  },
};
