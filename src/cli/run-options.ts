// What `slipway run`'s flags say, read into plain values (act's flags where act has one):
// which workflow files (-W, positionals, an event name as act's first argument), the event
// and its payload (--eventpath), env (--env-file, --env), secrets (--secret-file, -s), vars
// (--var), inputs (--input) and runner labels (-P). Errors name the flag and the value.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from './client.ts';
import { str, type Values } from './command.ts';
import { readDotenv } from './dotenv.ts';
import { localWorkflowFiles } from './local-workflows.ts';
import { builtinJobImage, hostExecutor } from '../config/runner-labels.ts';

export const localEvents = ['push', 'workflow_dispatch', 'schedule', 'repository_dispatch'];

const list = (v: Values[string]) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** `NAME<sep>value` pairs of a repeatable flag. */
export function pairs(values: string[], sep: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf(sep);
    if (i <= 0) throw new CliError(`${what} "${v}": expected NAME${sep}value`, 2);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

/**
 * `-P label=image` (act): an image (`docker://` optional), `builtin` for Slipway's job image,
 * or `host` — also act's `-self-hosted` — to run on this machine's shell.
 */
export function platforms(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [label, target] of Object.entries(pairs(values, '=', '-P'))) {
    const value = target.replace(/^docker:\/\//, '');
    if (value === '') throw new CliError(`-P "${label}=": expected an image, builtin or host`, 2);
    out[label] = value === '-self-hosted' ? hostExecutor : value === builtinJobImage ? builtinJobImage : value;
  }
  return out;
}

/** `-s NAME=value`, or `-s NAME` for the value of this process's $NAME (act's). */
export function secretFlags(values: string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    const name = i < 0 ? v : v.slice(0, i);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new CliError(`-s "${v}": expected NAME or NAME=value`, 2);
    const value = i < 0 ? env[name] : v.slice(i + 1);
    if (value === undefined) throw new CliError(`-s ${name}: no value given and $${name} is not set`, 2);
    out[name] = value;
  }
  return out;
}

/** Workflow files (absolute) from positionals and -W (a file or a folder of them); [] = the project's. */
export function workflowFiles(cwd: string, positionals: string[], workflows: string[]): string[] {
  const files: string[] = [];
  for (const p of [...workflows, ...positionals]) {
    const path = resolve(cwd, p);
    if (!existsSync(path)) throw new CliError(`${p}: no such file or folder`, 2);
    if (statSync(path).isDirectory()) {
      const inside = readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f));
      if (inside.length === 0) throw new CliError(`${p}: no .yml or .yaml workflow in the folder`, 2);
      files.push(...inside);
    } else files.push(path);
  }
  return files.length > 0 ? files : localWorkflowFiles(cwd).map((f) => join(cwd, f));
}

/** The event: --event, else an event name given as the first positional (act's `act workflow_dispatch`), else push. */
export function eventOf(values: Values, positionals: string[], cwd: string): { event: string; positionals: string[] } {
  let event = str(values.event);
  let rest = positionals;
  if (!event && positionals[0] && localEvents.includes(positionals[0]) && !existsSync(resolve(cwd, positionals[0]))) {
    event = positionals[0];
    rest = positionals.slice(1);
  }
  event ??= 'push';
  if (!localEvents.includes(event)) throw new CliError(`--event: expected one of ${localEvents.join(', ')}, got "${event}"`, 2);
  return { event, positionals: rest };
}

/** --eventpath FILE: a JSON object, `github.event` of the run. */
export function eventPayload(path: string | undefined, cwd: string): Record<string, unknown> | undefined {
  if (!path) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resolve(cwd, path), 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliError(`--eventpath ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, 2);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(`--eventpath ${path}: expected a JSON object (an event payload)`, 2);
  return parsed as Record<string, unknown>;
}

export interface RunInputs {
  env: Record<string, string>;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  inputs: Record<string, string>;
  labels: Record<string, string>;
}

/** Env, secrets, vars, inputs and labels from the flags; later flags win over files. */
export function runInputs(values: Values, payload: Record<string, unknown> | undefined): RunInputs {
  const envFile = str(values['env-file']);
  const secretFile = str(values['secret-file']);
  // act reads a workflow_dispatch payload's inputs when --input gives none.
  const payloadInputs = payload && typeof payload.inputs === 'object' && payload.inputs !== null ? Object.fromEntries(Object.entries(payload.inputs).map(([k, v]) => [k, String(v)])) : {};
  return {
    env: { ...(envFile ? readDotenv(envFile, '--env-file') : {}), ...pairs(list(values.env), '=', '--env') },
    secrets: { ...(secretFile ? readDotenv(secretFile, '--secret-file') : {}), ...secretFlags(list(values.secret)) },
    vars: pairs(list(values.var), '=', '--var'),
    inputs: { ...payloadInputs, ...pairs(list(values.input), '=', '--input') },
    labels: platforms(list(values.platform)),
  };
}
