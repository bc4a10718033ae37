// Container-engine steps the runner repeats (the job container, service containers,
// `docker://` steps); commands run through build/run-tool.ts like every other tool.
import { runTool, runToolOrThrow } from '../../../build/run-tool.ts';
import { withAuthFile } from '../../../build/registry-auth.ts';
import type { OutputSink } from '../../../core/types.ts';
import type { RegistryCredentials } from '../../../workflow/model.ts';
import { SlipwayError } from '../../../core/errors.ts';

/**
 * Pulls `image` unless the engine already has it (no registry is needed for local images).
 * `credentials` (a container's or service's `credentials:`) log in for this pull only,
 * through a private auth file that is deleted afterwards: never on a command line, never
 * left in the engine's login state.
 */
export async function ensureImage(engine: string, image: string, onOutput?: OutputSink, credentials?: RegistryCredentials): Promise<void> {
  // docker has no `image exists`.
  const exists = engine === 'podman' ? ['image', 'exists', image] : ['image', 'inspect', image];
  if ((await runTool(engine, exists)).exitCode === 0) return;
  onOutput?.(`Pulling ${image}\n`);
  if (!credentials) {
    await runToolOrThrow(engine, ['pull', image], { onOutput });
    return;
  }
  // podman reads containers-auth.json from --authfile; docker reads config.json from --config DIR (same format).
  await withAuthFile(image, credentials, engine === 'podman' ? 'auth.json' : 'config.json', (file, dir) =>
    runToolOrThrow(engine, engine === 'podman' ? ['pull', '--authfile', file, image] : ['--config', dir, 'pull', image], { onOutput }));
}

/**
 * Creates a job's network (`slipway-<job>`, named after the job, so the same for each of its
 * attempts). One already there was left by an earlier attempt whose runner died (kill -9,
 * a lost machine): only one attempt of a job runs at a time, so it is removed — with
 * whatever of that attempt still uses it — and made again.
 */
export async function createJobNetwork(engine: string, name: string, labels: string[]): Promise<void> {
  const first = await runTool(engine, ['network', 'create', ...labels, name]);
  if (first.exitCode === 0) return;
  if (!/already (exists|used)/.test(first.output)) throw new SlipwayError('EXEC_FAILED', `${engine} network create ${name} failed (exit ${first.exitCode}): ${first.output.trim()}`);
  await runToolOrThrow(engine, ['network', 'rm', '--force', name]);
  await runToolOrThrow(engine, ['network', 'create', ...labels, name]);
}
