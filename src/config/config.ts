// Server configuration: defaults in the schema, then `DATA/config.yml`, then SLIPWAY_*
// environment variables. Validated once at start-up, then frozen. Unknown keys in the file
// are errors that name the key and the file.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SlipwayError } from '../core/errors.ts';
import { registrySettings } from './registry-settings.ts';
import { durationSchema } from './duration-schema.ts';
import { hostLabelIssues, queueTimeoutSchema, runnerLabelsSchema } from './runner-labels.ts';

const schema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** How clients, runners and container tools reach this server; default http://host:port. */
  publicUrl: z.url().optional(),
  runner: z
    .strictObject({
      enabled: z.boolean().default(true),
      concurrency: z.number().int().min(1).max(64).default(2),
      /** `runs-on` label → job image (see runner-labels.ts). */
      labels: runnerLabelsSchema,
      /**
       * The host (shell) executor: off unless an admin turns it on. Then jobs whose `runs-on`
       * includes the label `host` (or a label mapped to `host`) run on this machine, as an
       * unprivileged user of their own with a clean environment (src/runner/executors/shell/).
       */
      host: z.boolean().default(false),
      /** Options beyond the built-in allow-list of `container.options` / `services.*.options` (`--privileged`, `-v`). */
      allowOptions: z.array(z.string().regex(/^--?[A-Za-z][\w-]*$/, 'expected an option name such as --privileged or -v')).default([]),
      /**
       * Host directories whose paths a workflow's `container.volumes` / `services.*.volumes`
       * may mount (`/srv/cache:/cache`). None by default: a host path reaches outside the job.
       */
      hostVolumes: z.array(z.string().regex(/^\//, 'expected an absolute directory such as /srv/ci-cache')).default([]),
      /**
       * How long a job may wait for a runner offering its `runs-on` labels before it fails
       * (GitHub's 24 h): a duration (`24h`, `30m`, `10s`) or seconds; milliseconds once loaded.
       */
      queueTimeout: queueTimeoutSchema,
    })
    .superRefine((runner, ctx) => {
      for (const issue of hostLabelIssues(runner.labels, runner.host)) ctx.addIssue({ code: 'custom', path: ['labels', ...issue.path], message: issue.message });
    })
    .prefault({}),
  /** Seconds a runner's job lease lasts without a heartbeat before the job is re-queued. */
  leaseSeconds: z.number().int().min(5).default(30),
  /** Seconds a stop (SIGTERM, Ctrl-C) waits for running jobs before it kills them; they run again after the restart. */
  shutdownTimeoutSeconds: z.number().int().min(0).default(30),
  /**
   * The most one job attempt's log may hold: past it, one marker line, and the rest of the
   * job's output is dropped (the job keeps running). Default 100 MB.
   */
  logs: z.strictObject({ maxJobBytes: z.number().int().min(1024).default(100_000_000) }).prefault({}),
  /**
   * The store: SQLite in the data dir (`slipway.db`) unless `url` names a PostgreSQL
   * database (`postgres://user:password@host:5432/slipway`), as several servers share.
   */
  database: z.strictObject({ url: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').optional() }).prefault({}),
  /**
   * Where git repositories live (default DATA/git). Several servers on one database point it
   * at one directory on shared POSIX storage with working locks (docs/scaling.md).
   */
  git: z.strictObject({ root: z.string().regex(/^\//, 'expected an absolute path').optional() }).prefault({}),
  /**
   * The key file secrets are encrypted with (default DATA/secrets.key, made on first start).
   * Several servers must read the same key (docs/scaling.md).
   */
  secrets: z.strictObject({ keyFile: z.string().regex(/^\//, 'expected an absolute path').optional() }).prefault({}),
  /** Who may create a project (by a first push or `slipway project create`): every signed-in user, as on Gitea and GitHub, or only admins. */
  projects: z.strictObject({ create: z.enum(['everyone', 'admins']).default('everyone') }).prefault({}),
  /**
   * Where remote `uses: owner/repo[/path]@ref` come from, tried in order (docs/workflow.md
   * "Remote actions"): `instance` (this installation's mirrors and projects) or a git host
   * `{ name, url }`. `projectsOwner` is the owner that names this instance's projects.
   */
  actions: z
    .strictObject({
      sources: z
        .array(z.union([z.literal('instance'), z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/), url: z.url().regex(/^https?:\/\//, 'expected an http(s) URL') })]))
        .default(['instance', { name: 'github', url: 'https://github.com' }]),
      projectsOwner: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/).default('local'),
      fetchTimeoutSeconds: z.number().int().min(1).max(3600).default(60),
      /** The most a remote action's repository tree may hold to be sent to a runner over HTTP (action-archive.ts). */
      maxTreeBytes: z.number().int().min(1024).default(256 * 1024 * 1024),
      /** Cached action trees unused this long are pruned (at start-up, then daily; `off`: never). */
      cacheMaxAge: durationSchema(30 * 24 * 3_600_000, { off: true }),
    })
    .prefault({}),
  /** The built-in registry's garbage collection, retention and upload purging (registry-settings.ts). */
  registry: registrySettings,
  /** Failed authentications one address may make per window before it gets 429 (the block doubles each round). */
  failedAuth: z
    .strictObject({
      limit: z.number().int().min(1).default(10),
      windowSeconds: z.number().int().min(1).default(60),
    })
    .prefault({}),
});

export type Config = Readonly<z.infer<typeof schema>> & { readonly dataDir: string; readonly configFile: string };

/** SLIPWAY_* variables and the config key each sets; values are parsed as the key's type. */
const envKeys: Record<string, string[]> = {
  SLIPWAY_HOST: ['host'],
  SLIPWAY_PORT: ['port'],
  SLIPWAY_PUBLIC_URL: ['publicUrl'],
  SLIPWAY_RUNNER_ENABLED: ['runner', 'enabled'],
  SLIPWAY_RUNNER_CONCURRENCY: ['runner', 'concurrency'],
  SLIPWAY_RUNNER_HOST: ['runner', 'host'],
  SLIPWAY_RUNNER_QUEUE_TIMEOUT: ['runner', 'queueTimeout'],
  SLIPWAY_LEASE_SECONDS: ['leaseSeconds'],
  SLIPWAY_SHUTDOWN_TIMEOUT_SECONDS: ['shutdownTimeoutSeconds'],
  SLIPWAY_PROJECTS_CREATE: ['projects', 'create'],
  SLIPWAY_LOGS_MAX_JOB_BYTES: ['logs', 'maxJobBytes'],
  SLIPWAY_ACTIONS_MAX_TREE_BYTES: ['actions', 'maxTreeBytes'],
  SLIPWAY_ACTIONS_CACHE_MAX_AGE: ['actions', 'cacheMaxAge'],
  SLIPWAY_REGISTRY_GC_INTERVAL: ['registry', 'gc', 'interval'],
  SLIPWAY_REGISTRY_GC_GRACE: ['registry', 'gc', 'grace'],
  SLIPWAY_REGISTRY_UPLOADS_MAX_AGE: ['registry', 'uploads', 'maxAge'],
  SLIPWAY_REGISTRY_RETENTION_ENABLED: ['registry', 'retention', 'enabled'],
  SLIPWAY_REGISTRY_RETENTION_KEEP_PER_BRANCH: ['registry', 'retention', 'keepPerBranch'],
  SLIPWAY_REGISTRY_RETENTION_KEEP_DAYS: ['registry', 'retention', 'keepDays'],
  SLIPWAY_DATABASE_URL: ['database', 'url'],
  SLIPWAY_GIT_ROOT: ['git', 'root'],
  SLIPWAY_SECRETS_KEY_FILE: ['secrets', 'keyFile'],
  SLIPWAY_REGISTRY_STORAGE_KIND: ['registry', 'storage', 'kind'],
  SLIPWAY_REGISTRY_S3_ENDPOINT: ['registry', 'storage', 'endpoint'],
  SLIPWAY_REGISTRY_S3_BUCKET: ['registry', 'storage', 'bucket'],
  SLIPWAY_REGISTRY_S3_REGION: ['registry', 'storage', 'region'],
  SLIPWAY_REGISTRY_S3_ACCESS_KEY_ID: ['registry', 'storage', 'accessKeyId'],
  SLIPWAY_REGISTRY_S3_SECRET_ACCESS_KEY: ['registry', 'storage', 'secretAccessKey'],
  SLIPWAY_REGISTRY_S3_FORCE_PATH_STYLE: ['registry', 'storage', 'forcePathStyle'],
  SLIPWAY_REGISTRY_S3_PREFIX: ['registry', 'storage', 'prefix'],
};

/** Variables taken as written, never as a number or boolean: a key or a name may be all digits. */
const verbatimEnv = new Set(['SLIPWAY_GIT_ROOT', 'SLIPWAY_SECRETS_KEY_FILE', 'SLIPWAY_REGISTRY_S3_BUCKET', 'SLIPWAY_REGISTRY_S3_ACCESS_KEY_ID', 'SLIPWAY_REGISTRY_S3_SECRET_ACCESS_KEY', 'SLIPWAY_REGISTRY_S3_PREFIX']);

function envValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^-?\d+$/.test(raw)) return Number(raw);
  return raw;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] = typeof node[key] === 'object' && node[key] !== null ? node[key] : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export function loadConfig(options: { dataDir: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> }): Config {
  const env = options.env ?? process.env;
  const configFile = join(options.dataDir, 'config.yml');
  let raw: Record<string, unknown> = {};
  if (existsSync(configFile)) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(configFile, 'utf8'));
    } catch (err) {
      throw new SlipwayError('CONFIG_INVALID', `${configFile}: ${(err as Error).message}`);
    }
    if (parsed != null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new SlipwayError('CONFIG_INVALID', `${configFile}: expected a map of settings`);
    }
    raw = (parsed ?? {}) as Record<string, unknown>;
  }
  const sources = new Map<string, string>();
  for (const [name, path] of Object.entries(envKeys)) {
    const v = env[name];
    if (v !== undefined && v !== '') {
      setPath(raw, path, verbatimEnv.has(name) ? v : envValue(v));
      sources.set(path.join('.'), name);
    }
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) {
      setPath(raw, key.split('.'), value);
      sources.set(key, 'command line');
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k].join('.')) : [issue.path.join('.')];
      const where = sources.get(issue.path.join('.')) ?? configFile;
      const what = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
      return keys.map((k) => `${where}: ${k}: ${what}`).join('\n');
    });
    throw new SlipwayError('CONFIG_INVALID', `invalid configuration:\n${problems.join('\n')}`);
  }
  return deepFreeze({ ...result.data, dataDir: options.dataDir, configFile });
}

export function publicUrl(config: Config, boundPort: number): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/$/, '');
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host}:${boundPort}`;
}
