// Container-engine steps the runner repeats (the job container, service containers,
// `docker://` steps); commands run through build/run-tool.ts like every other tool.
import { runTool, runToolOrThrow } from '../../../build/run-tool.ts';
import type { OutputSink } from '../../../core/types.ts';

/** Pulls `image` unless the engine already has it (no registry is needed for local images). */
export async function ensureImage(engine: string, image: string, onOutput?: OutputSink): Promise<void> {
  // docker has no `image exists`.
  const exists = engine === 'podman' ? ['image', 'exists', image] : ['image', 'inspect', image];
  if ((await runTool(engine, exists)).exitCode === 0) return;
  onOutput?.(`Pulling ${image}\n`);
  await runToolOrThrow(engine, ['pull', image], { onOutput });
}
