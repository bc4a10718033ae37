// `actions/setup-node` (github.com/actions/setup-node, action.yml of v1–v4) built in: it
// never downloads a Node (nodejs.org is not reachable from here, and a job's Node comes
// from its image or, on the host executor, the machine). It checks that the Node the job
// runs (`node` on the job's PATH, asked inside the job) answers `node-version` (or
// `node-version-file`), and fails naming what is wanted, what is there and what to do when
// it does not. `cache` restores and saves the package manager's cache (setup-node-cache.ts);
// `registry-url` writes an .npmrc in RUNNER_TEMP as setup-node's authutil.ts does.
// Outputs: `node-version`, `cache-hit` (and `cache-primary-key`, `cache-matched-key`).
import { resolve } from 'node:path';
import type { ActionContext, BuiltInAction } from './action.ts';
import { SlipwayError } from '../../core/errors.ts';
import { parseVersion, type Version } from './setup-node-semver.ts';
import { checkNodeVersion, nodeArch, parseVersionFile } from './setup-node-spec.ts';
import { restoreNodeCache } from './setup-node-cache.ts';

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** A file of the job's, read inside the job (with its rights, never the runner's). */
async function readInJob(ctx: ActionContext, path: string, what: string): Promise<string> {
  const r = await ctx.runInJob(`test -f ${quote(path)} || exit 3; head -c 65536 ${quote(path)}`);
  if (r.exitCode === 3) throw new SlipwayError('WORKFLOW_INVALID', `actions/setup-node: the specified node version file at: ${path} does not exist${what}`);
  if (r.exitCode !== 0) throw new SlipwayError('EXEC_FAILED', `actions/setup-node: reading ${path} failed (exit ${r.exitCode}): ${r.output.trim().slice(-300)}`);
  return r.output;
}

/** The version spec asked for and where it came from; undefined when none is. */
async function requestedSpec(ctx: ActionContext): Promise<{ spec: string; from: string } | undefined> {
  const version = (ctx.inputs['node-version'] ?? ctx.inputs.version ?? '').trim();
  const file = (ctx.inputs['node-version-file'] ?? '').trim();
  if (version) {
    if (file) ctx.log.line('##[warning]Both node-version and node-version-file inputs are specified, only node-version will be used');
    return { spec: version, from: 'node-version' };
  }
  if (!file) return undefined;
  let path = resolve(ctx.paths.workspace, file);
  // volta.extends may chain; a few hops are plenty, and a loop must end.
  for (let hops = 0; hops < 4; hops++) {
    const found = parseVersionFile(await readInJob(ctx, path, hops > 0 ? ` (volta.extends of ${file})` : ''));
    if (found.spec) {
      ctx.log.line(`Resolved ${file} as ${found.spec}`);
      return { spec: found.spec, from: file };
    }
    if (!found.extends) break;
    path = resolve(path, '..', found.extends);
    ctx.log.line(`Resolving node version from ${path}`);
  }
  throw new SlipwayError('WORKFLOW_INVALID', `actions/setup-node: node-version-file ${file} names no Node version (for package.json: volta.node or engines.node)`);
}

/** The job's Node: `node --version` and its architecture, asked where the steps run. */
async function jobNode(ctx: ActionContext): Promise<{ version: Version; arch: string }> {
  const r = await ctx.runInJob(`node -p 'process.version + " " + process.arch'`);
  const [text = '', arch = ''] = (r.output.trim().split('\n').pop() ?? '').split(' ');
  const version = parseVersion(text);
  if (r.exitCode !== 0 || !version) {
    throw new SlipwayError('NOT_FOUND', `actions/setup-node: the job has no usable \`node\` on its PATH (exit ${r.exitCode}: ${r.output.trim().slice(-200)}), and Slipway does not download one. Run the job in an image that has Node (map its runs-on label to one in runner.labels; the built-in job image has Node ${process.versions.node.split('.')[0]}) or on a self-hosted runner that has it`);
  }
  return { version, arch };
}

/** The failure when the job's Node does not answer: what is wanted, what is there, what to do. */
function notHere(wanted: string, have: string, from: string, major: number | undefined): string {
  const image = `docker://registry.example/node:${major ?? 'VERSION'}`;
  return `actions/setup-node: ${wanted}. The job's node is ${have}, and Slipway never downloads one. ` +
    `Run the job where that Node is: map its runs-on label to an image that has it (runner.labels in DATA/config.yml, e.g. \`ubuntu-latest: ${image}\`; with slipway run: -P ubuntu-latest=${image}), ` +
    `or use a self-hosted runner whose PATH has it; or change ${from} to accept ${have}`;
}

export const setupNode: BuiltInAction = async (ctx) => {
  const requested = await requestedSpec(ctx);
  const architecture = (ctx.inputs.architecture ?? '').trim();
  if (architecture && !requested) ctx.log.line('##[warning]`architecture` is provided but `node-version` is missing. In this configuration, the version/architecture of Node will not be changed. To fix this, provide `architecture` in combination with `node-version`');
  const node = await jobNode(ctx);
  const have = `v${node.version.join('.')}`;
  if (requested) {
    let check;
    try {
      check = checkNodeVersion(requested.spec, node.version);
    } catch (err) {
      throw new SlipwayError('WORKFLOW_INVALID', `actions/setup-node: ${(err as Error).message}${requested.from === 'node-version' ? '' : ` (from ${requested.from})`}`, { cause: err });
    }
    const source = requested.from === 'node-version' ? `node-version "${requested.spec}"` : `"${requested.spec}" (from ${requested.from})`;
    if (!check.ok) throw new SlipwayError('NOT_FOUND', notHere(`${source} wants a Node this job does not have: ${check.why}`, have, requested.from, check.want));
    if (architecture && nodeArch(architecture) !== node.arch) {
      throw new SlipwayError('NOT_FOUND', `actions/setup-node: architecture "${architecture}" wanted, and the job's node ${have} is ${node.arch}; Slipway never downloads a Node: run the job on a runner of that architecture`);
    }
    if (/^true$/i.test(ctx.inputs['check-latest'] ?? '')) ctx.log.line('check-latest: not looked for (no download); the job\'s Node is used');
    ctx.log.line(`Using Node ${have} already on this runner (no download: ${check.why})`);
  } else {
    ctx.log.line(`Using Node ${have} already on this runner (no download: no node-version or node-version-file given)`);
  }
  const registryUrl = (ctx.inputs['registry-url'] ?? '').trim();
  if (registryUrl) await writeNpmrc(ctx, registryUrl);
  const manager = (ctx.inputs.cache ?? '').trim();
  // As setup-node: without `cache`, `cache-hit` is not set at all.
  const cacheOutputs = manager ? await restoreNodeCache(ctx, manager, node.arch) : {};
  return { outputs: { 'node-version': have, ...cacheOutputs } };
};

/**
 * setup-node's authutil.ts: `$RUNNER_TEMP/.npmrc` with the registry, its `_authToken`
 * read from NODE_AUTH_TOKEN, and always-auth; NPM_CONFIG_USERCONFIG points at it and
 * NODE_AUTH_TOKEN gets a placeholder unless set. Written in the job (RUNNER_TEMP and
 * $GITHUB_ENV are files the job could have replaced with links).
 */
async function writeNpmrc(ctx: ActionContext, registryUrl: string): Promise<void> {
  const url = registryUrl.endsWith('/') ? registryUrl : `${registryUrl}/`;
  if (!/^https?:\/\/[^\s]+$/i.test(url)) throw new SlipwayError('WORKFLOW_INVALID', `actions/setup-node: registry-url "${registryUrl}" is not an http(s) URL`);
  let scope = (ctx.inputs.scope ?? '').trim();
  if (!scope && url.includes('npm.pkg.github.com')) scope = ctx.claimed.contexts.github.repository_owner;
  if (scope && !scope.startsWith('@')) scope = `@${scope}`;
  if (scope && !/^@[a-z0-9._~-]+$/i.test(scope)) throw new SlipwayError('WORKFLOW_INVALID', `actions/setup-node: scope "${scope}" is not an npm scope`);
  const prefix = scope ? `${scope.toLowerCase()}:` : '';
  const alwaysAuth = (ctx.inputs['always-auth'] ?? '').trim() || 'false';
  const npmrc = `${ctx.paths.temp}/.npmrc`;
  const lines = [`${url.replace(/^\w+:/, '')}:_authToken=\${NODE_AUTH_TOKEN}`, `${prefix}registry=${url}`, `always-auth=${alwaysAuth === 'true' ? 'true' : 'false'}`];
  const token = ctx.env.NODE_AUTH_TOKEN ? '' : 'NODE_AUTH_TOKEN=XXXXX-XXXXX-XXXXX-XXXXX\n';
  // Keeps lines of an earlier .npmrc except the registry line this one replaces, as setup-node does.
  const script = [
    `f=${quote(npmrc)}`,
    `old=$( [ -f "$f" ] && grep -iv ${quote(`^${prefix}registry`)} "$f" || true )`,
    `{ [ -n "$old" ] && printf '%s\\n' "$old"; printf '%s\\n' ${lines.map(quote).join(' ')}; } > "$f.new" && mv -f "$f.new" "$f"`,
    `printf '%s' ${quote(`NPM_CONFIG_USERCONFIG=${npmrc}\n${token}`)} >> ${quote(ctx.paths.files.env)}`,
  ].join('\n');
  const r = await ctx.runInJob(script);
  if (r.exitCode !== 0) throw new SlipwayError('EXEC_FAILED', `actions/setup-node: writing ${npmrc} failed (exit ${r.exitCode}): ${r.output.trim().slice(-300)}`);
  ctx.log.line(`Wrote ${npmrc} for ${prefix}registry=${url} (token from NODE_AUTH_TOKEN)`);
}
