// What the scale bench runs against: `slipway up` child processes (their built-in runner
// off) on SQLite or on one throwaway PostgreSQL, and real `slipway runner` CLI processes,
// each registered with a registration token of its own and spread over the servers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../../test/support/server-process.ts';
import { mainTs, runCli } from '../../test/support/cli.ts';
import { removeDir } from '../../test/support/harness.ts';
import { startPostgres, type TestPostgres } from '../../src/store/test-postgres.ts';

/**
 * What bin/slipway gives every `slipway` process (its comment says why); the bench starts
 * src/cli/main.ts itself (test/support/server-process.ts), so it passes the same.
 */
const binSlipwayMemory = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
const binSlipwayNodeOptions = '--max-semi-space-size=8 --expose-gc';
const withNodeOptions = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...binSlipwayMemory, ...env, NODE_OPTIONS: [binSlipwayNodeOptions, env.NODE_OPTIONS].filter(Boolean).join(' ') });

export interface ClusterOptions {
  db: 'sqlite' | 'postgres';
  servers: number;
  runners: number;
  /** The runs-on label the runners offer, mapped to the host executor (`label=host`). */
  label: string;
  /** Extra environment of the servers (NODE_OPTIONS=--cpu-prof …). */
  serverEnv?: NodeJS.ProcessEnv;
  /** Extra environment of the runners. */
  runnerEnv?: NodeJS.ProcessEnv;
}

export interface Cluster {
  servers: ServerProcess[];
  runners: ChildProcess[];
  /** Where the bench reads the store: the PostgreSQL URL or the first server's SQLite file. */
  database: { url: string } | { sqlitePath: string };
  dataDirs: string[];
  stop(): Promise<void>;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const root = await mkdtemp(join(tmpdir(), 'slipway-scale-'));
  const servers: ServerProcess[] = [];
  const runners: ChildProcess[] = [];
  const dataDirs: string[] = [];
  let pg: TestPostgres | undefined;
  const stop = async () => {
    await Promise.all(runners.map((r) => stopChild(r)));
    // SIGTERM: a clean stop, so a --cpu-prof profile is written.
    await Promise.all(servers.map((s) => s.stop()));
    await pg?.stop();
    await removeDir(root);
  };
  try {
    let url: string | undefined;
    if (o.db === 'postgres') {
      pg = await startPostgres();
      url = await pg.database();
    }
    // Several servers of one installation share the database, the git directory and the secrets key (docs/scaling.md).
    const installation = o.servers > 1 ? { SLIPWAY_GIT_ROOT: join(root, 'git'), SLIPWAY_SECRETS_KEY_FILE: join(root, 'secrets.key') } : {};
    for (let i = 0; i < o.servers; i++) {
      const dataDir = join(root, `server-${i + 1}`);
      dataDirs.push(dataDir);
      // One at a time: the first creates the schema and the admin; the others find them.
      servers.push(await startServerProcess({ dataDir, env: { SLIPWAY_RUNNER_ENABLED: 'false', ...(url ? { SLIPWAY_DATABASE_URL: url } : {}), ...installation, ...withNodeOptions(o.serverEnv) } }));
    }
    const home = join(root, 'home');
    for (let i = 0; i < o.runners; i++) {
      const server = servers[i % servers.length]!;
      const { token } = await server.api<{ token: string }>('/api/runners/registration-tokens', { method: 'POST', body: '{}' });
      const dir = join(root, `runner-${i + 1}`);
      const env = { PATH: process.env.PATH, HOME: home };
      const r = await runCli(['runner', 'register', '--server', server.url, '--token', token, '--name', `scale-${i + 1}`, '--labels', `${o.label}=host`, '--data', dir], { env });
      if (r.code !== 0) throw new Error(`slipway runner register (runner ${i + 1}): ${r.stderr}`);
      runners.push(await startRunner(dir, { ...env, ...withNodeOptions(o.runnerEnv) }));
    }
    return { servers, runners, database: url ? { url } : { sqlitePath: join(dataDirs[0]!, 'slipway.db') }, dataDirs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `slipway runner --data dir`, resolved once it says it takes jobs. */
async function startRunner(dir: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [mainTs, 'runner', '--data', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    process.stderr.write(`[${dir.split('/').at(-1)}] ${d}`);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      // `runner NAME taking [up to N job(s) at once labelled …] …`
      if (/^runner \S+ taking /m.test(out)) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`slipway runner in ${dir} exited (${code ?? signal}) before it took jobs:\n${out}`)));
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
