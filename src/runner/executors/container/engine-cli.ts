// Container-engine steps the runner repeats (the job container, service containers,
// `docker://` steps); commands run through build/run-tool.ts like every other tool.
import { runTool, runToolOrThrow } from '../../../build/run-tool.ts';
import { withAuthFile } from '../../../build/registry-auth.ts';
import type { OutputSink } from '../../../core/types.ts';
import type { RegistryCredentials } from '../../../workflow/model.ts';

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
