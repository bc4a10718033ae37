// A Docker container action (`runs.using: docker`, docs.github.com "Creating a Docker
// container action" and "Dockerfile support for GitHub Actions"): its image is
// `docker://ref`, or built from the Dockerfile in the action's directory with the host's
// builder once per content of that directory (tagged with its hash, so a change builds
// anew and anything else reuses it), then run as docker-step.ts runs images: `args` and
// `env` evaluated with the action's `inputs`, `entrypoint`, and `pre-entrypoint` /
// `post-entrypoint` run as the pre and post stages with the same arguments.
import { resolve, sep } from 'node:path';
import { SlipwayError } from '../../core/errors.ts';
import { runTool } from '../../build/run-tool.ts';
import type { ImageBuilder } from '../../build/builder.ts';
import type { StepResult } from '../job-state.ts';
import { interpolateText } from '../expression-adapter.ts';
import type { DockerRuns } from './action-file.ts';
import { runStages } from './action-stages.ts';
import { runDockerStep } from './docker-step.ts';
import { builderFor } from './build-image.ts';
import { treeHash } from '../../build/build-key.ts';
import type { ActionRun } from './action-dir.ts';

/** Bumped when how an action's image is built changes, so every hash changes with it. */
const recipeVersion = 1;

/** The tag's hash: every entry's path, kind, mode and content (build-key.ts's tree hash); `.git` left out. */
export const directoryHash = (dir: string): Promise<string> => treeHash(dir, `slipway-action-image ${recipeVersion}`);

/** Whether the builder's image store has `tag` (buildah and podman share one as root). */
async function hasImage(builder: ImageBuilder, tag: string): Promise<boolean> {
  const args = builder.name === 'buildah' ? ['inspect', '--type', 'image', tag] : builder.name === 'podman' ? ['image', 'exists', tag] : ['image', 'inspect', tag];
  return (await runTool(builder.name, args)).exitCode === 0;
}

/** Builds in flight, by tag: two jobs using one action build it once. */
const building = new Map<string, Promise<void>>();

async function actionImage(run: ActionRun, runs: DockerRuns): Promise<string> {
  if (runs.image.startsWith('docker://')) return runs.image.slice('docker://'.length);
  const { log } = run.state;
  const dir = run.dir;
  const containerfile = resolve(dir, runs.image);
  if (containerfile !== dir && !containerfile.startsWith(dir + sep)) {
    throw new SlipwayError('WORKFLOW_INVALID', `${run.file}: runs.image \`${runs.image}\` is outside the action's directory`);
  }
  const tag = `localhost/slipway-action/${(await directoryHash(dir)).slice(0, 24)}:latest`;
  const onOutput = (t: string) => log.write(t);
  const builder = await builderFor(containerfile, onOutput);
  if (await hasImage(builder, tag)) {
    log.line(`Using ${tag}, built earlier from this action's files`);
    return tag;
  }
  let made = building.get(tag);
  if (!made) {
    log.line(`Building ${run.uses} (${runs.image}) with ${builder.name} as ${tag}`);
    made = builder.build({ contextDir: dir, containerfile, tag, buildArgs: {}, onOutput, signal: run.state.signal }).finally(() => building.delete(tag));
    building.set(tag, made);
  } else {
    log.line(`Waiting for ${tag}, which another job is building`);
  }
  try {
    await made;
  } catch (err) {
    throw new SlipwayError('BUILD_FAILED', `${run.uses}: building ${runs.image} failed: ${(err as Error).message}`, { cause: err });
  }
  return tag;
}

export async function runDockerAction(run: ActionRun, runs: DockerRuns): Promise<StepResult> {
  const { state } = run;
  const image = await actionImage(run, runs);
  const ctx = { ...run.context, env: run.env };
  const args = runs.args.map((a) => interpolateText(a, ctx, state.hashFiles));
  const env: Record<string, string> = { ...run.env, ...run.actionEnv };
  for (const [k, v] of Object.entries(runs.env)) env[k] = interpolateText(v, ctx, state.hashFiles);
  const stage = (entrypoint: string | undefined) => (stateVars: Record<string, string>) => runDockerStep({
    image, entrypoint, args, state, timeoutMs: run.timeoutMs, env: { ...env, ...stateVars },
  });
  return runStages({
    state,
    frame: run.frame,
    stepName: run.step.name,
    preIf: runs.preIf,
    postIf: runs.postIf,
    pre: runs.preEntrypoint ? stage(runs.preEntrypoint) : undefined,
    main: stage(runs.entrypoint),
    post: runs.postEntrypoint ? stage(runs.postEntrypoint) : undefined,
  });
}
