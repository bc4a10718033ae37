// npm, npx and corepack in the default job image, so a Node project's `npm ci` / `npm test`
// works as on GitHub's runner. npm is plain JavaScript: its package folder is copied from
// this machine (the one beside the Node that goes into the image, as Node's own tarball lays
// it out, else the one the machine's `npm` command runs) to /usr/local/lib/node_modules,
// with the usual links in /usr/local/bin. Nothing is downloaded.
//
// The image is shared by every project's jobs, so of the machine's npm configuration only
// where packages come from is carried over (`registry`, `@scope:registry`); credentials
// (`_authToken`, `_auth`, `//host/:…` keys, a URL's user and password) never are.
import { mkdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { OutputSink } from '../../core/types.ts';
import { lstatIfExists } from '../../core/lstat-if-exists.ts';
import { run, runOrThrow } from '../../exec/run.ts';
import { findOnPath } from '../detect.ts';

export interface NodePackage {
  dir: string;
  version: string;
}

export interface JobImageNpm {
  npm: NodePackage;
  /** Node 24 bundles corepack; the machine's npm often has it beside it. */
  corepack: NodePackage | undefined;
  /** The image's global npmrc (/usr/local/etc/npmrc). */
  npmrc: string;
}

/** npm for an image whose Node is `node`: beside that Node, else what the `npm` on `path` runs; undefined when neither exists. */
export async function findJobImageNpm(node: string, path = process.env.PATH ?? '', env: NodeJS.ProcessEnv = process.env): Promise<JobImageNpm | undefined> {
  for (const dir of [join(dirname(dirname(node)), 'lib/node_modules/npm'), await commandPackageDir('npm', path)]) {
    const npm = dir === undefined ? undefined : await nodePackage(dir, 'npm');
    if (!npm) continue;
    const npmrc = imageNpmrc(registrySettings(await machineNpmConfigs(npm.dir, env), env));
    return { npm, corepack: await nodePackage(join(dirname(npm.dir), 'corepack'), 'corepack'), npmrc };
  }
  return undefined;
}

/** The package folder a command on `path` runs (npm's is PACKAGE/bin/npm-cli.js); undefined without one. */
async function commandPackageDir(command: string, path: string): Promise<string | undefined> {
  const file = await findOnPath(command, path); // follows links: a dangling one is no command
  return file === undefined ? undefined : dirname(dirname(await realpath(file)));
}

/** The package in `dir` when its package.json names it `name`; a broken one is no package (jobs still get an image). */
async function nodePackage(dir: string, name: string): Promise<NodePackage | undefined> {
  const file = join(dir, 'package.json');
  if (!(await lstatIfExists(file))) return undefined;
  let manifest: { name?: unknown; version?: unknown };
  try {
    manifest = JSON.parse(await readFile(file, 'utf8')) as typeof manifest;
  } catch {
    return undefined;
  }
  return manifest.name === name && typeof manifest.version === 'string' ? { dir: await realpath(dir), version: manifest.version } : undefined;
}

/** The texts of npm's builtin, global and user config files, lowest precedence first (npm docs "npmrc"). */
async function machineNpmConfigs(npmDir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  // npm at PREFIX/lib/node_modules/npm reads PREFIX/etc/npmrc as its global config.
  const prefix = dirname(dirname(dirname(npmDir)));
  const files = [join(npmDir, 'npmrc'), configEnv(env, 'globalconfig') ?? join(prefix, 'etc/npmrc'), configEnv(env, 'userconfig') ?? join(homedir(), '.npmrc')];
  const texts: string[] = [];
  for (const file of files) texts.push((await lstatIfExists(file)) ? await readFile(file, 'utf8') : '');
  return texts;
}

/** `npm_config_KEY` (npm reads it in any case). */
function configEnv(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const name = Object.keys(env).find((k) => k.toLowerCase() === `npm_config_${key}`);
  return name ? env[name] : undefined;
}

const registryKey = /^(@[a-z0-9][\w.-]*:)?registry$/i;

/**
 * `registry` and `@scope:registry` from npmrc texts (lowest precedence first) and the
 * environment (highest), as `key=url` lines. Only plain http(s) URLs without a user or
 * password pass: everything else in an npmrc may be, or point at, a credential.
 */
export function registrySettings(configs: readonly string[], env: NodeJS.ProcessEnv = {}): string[] {
  const settings = new Map<string, string>();
  for (const text of configs) {
    let inSection = false;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line.startsWith('[')) inSection = true; // ini sections are not npm settings
      const eq = line.indexOf('=');
      if (inSection || eq < 0 || /^[;#]/.test(line)) continue;
      const key = unquote(line.slice(0, eq).trim()).toLowerCase();
      if (registryKey.test(key)) settings.set(key, unquote(line.slice(eq + 1).trim()));
    }
  }
  for (const [name, value] of Object.entries(env)) {
    const key = name.toLowerCase().replace(/^npm_config_/, '');
    if (key !== name.toLowerCase() && registryKey.test(key) && value) settings.set(key, value);
  }
  return [...settings].filter(([, url]) => plainRegistryUrl(url)).map(([key, url]) => `${key}=${url}`).sort();
}

function unquote(text: string): string {
  return /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
}

function plainRegistryUrl(text: string): boolean {
  if (text.includes('${')) return false; // npm would expand it from the job's environment
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

function imageNpmrc(registries: readonly string[]): string {
  return [
    '; The default job image\'s npm settings, written by Slipway when it made the image.',
    '; The image\'s npm cannot be upgraded in place: no "new version" notices.',
    'update-notifier=false',
    ...(registries.length > 0 ? ['; Where this machine\'s npm gets packages (its credentials stay on the machine):', ...registries] : []),
    '',
  ].join('\n');
}

/**
 * Copies npm (and corepack) into the image root, with /usr/local/bin/npm, npx and corepack;
 * false when this npm does not run with the image's Node (then nothing is copied).
 */
export async function installJobImageNpm(root: string, found: JobImageNpm, node: string, scratch: string, onOutput: OutputSink): Promise<boolean> {
  // The image's Node runs the image's npm; an npm too old or too new for it would only fail in jobs.
  const check = await run([node, join(found.npm.dir, 'bin/npm-cli.js'), '--version'], { env: { PATH: '/usr/bin:/bin', HOME: scratch }, timeoutMs: 30_000 });
  if (check.exitCode !== 0 || check.stdout.trim() !== found.npm.version) {
    onOutput(`  npm ${found.npm.version} (${found.npm.dir}) does not run with this Node (exit ${check.exitCode}: ${(check.stderr || check.stdout).trim().slice(-300)}): the image has node but no npm or npx\n`);
    return false;
  }
  const modules = join(root, 'usr/local/lib/node_modules');
  const bin = join(root, 'usr/local/bin');
  await mkdir(modules, { recursive: true });
  await mkdir(join(root, 'usr/local/etc'), { recursive: true });
  // cp -a keeps npm's node_modules/.bin links as they are (relative); it takes half the time of fs.cp here.
  const links: [string, string][] = [['npm', 'npm/bin/npm-cli.js'], ['npx', 'npm/bin/npx-cli.js']];
  await runOrThrow(['cp', '-a', found.npm.dir, join(modules, 'npm')]);
  // npm's builtin config (a distribution's settings, perhaps more): its registries are in the
  // image's npmrc already, and nothing else of it is known to be safe to share.
  await rm(join(modules, 'npm/npmrc'), { force: true });
  if (found.corepack) {
    await runOrThrow(['cp', '-a', found.corepack.dir, join(modules, 'corepack')]);
    links.push(['corepack', 'corepack/dist/corepack.js']);
  }
  for (const [name, target] of links) await symlink(`../lib/node_modules/${target}`, join(bin, name));
  // npm's global config is PREFIX/etc/npmrc, PREFIX being /usr/local for /usr/local/bin/node.
  await writeFile(join(root, 'usr/local/etc/npmrc'), found.npmrc);
  onOutput(`  npm ${found.npm.version}${found.corepack ? ` and corepack ${found.corepack.version}` : ''} from ${found.npm.dir}\n`);
  return true;
}
