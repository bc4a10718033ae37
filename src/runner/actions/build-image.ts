// `slipway/build-image`: builds the repo's Containerfile/Dockerfile, tags it with the
// commit SHA, pushes it to the built-in registry as `<project>/<image>` and records the
// release (commit + digest) the deploy engine ships. Inputs: `image` (default: the
// project name), `context` (default `.`), `file` (default Containerfile, else Dockerfile),
// `build-args` (NAME=value lines). Builds are stamped with the commit's time, so one commit
// builds to one digest; the commit time is also the SOURCE_DATE_EPOCH build arg when the
// Containerfile declares it. After the push the host keeps only the newest build images.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BuiltInAction } from './action.ts';
import type { ImageBuilder } from '../../build/builder.ts';
import { detectBuilder } from '../../build/detect.ts';
import { busyboxImage, ensureBusyboxImage } from '../../build/base-image.ts';
import { baseReferences } from '../../build/build-key.ts';
import { commitTime, declaresSourceDateEpoch } from '../../build/commit-time.ts';
import { SlipwayError } from '../../core/errors.ts';
import { isValidName } from '../../core/ids.ts';
import type { LogWriter } from '../log-writer.ts';

function parseBuildArgs(text: string | undefined): Record<string, string> {
  const args: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) throw new SlipwayError('WORKFLOW_INVALID', `slipway/build-image: build-args line "${t}" is not NAME=value`);
    args[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return args;
}

// Kept per process: the host's builder does not change while Slipway runs, and the busybox
// base, once there, stays (Slipway never removes it); checking again would spawn
// `podman image exists` on every build. A failure is not kept, so the next build tries again.
let builderFound: Promise<ImageBuilder> | undefined;
let busyboxReady: Promise<void> | undefined;

function forget<T>(promise: Promise<T>, clear: () => void): Promise<T> {
  return promise.catch((err: unknown) => {
    clear();
    throw err;
  });
}

/**
 * The host's builder, ready to build `containerfile`: with the one base image Slipway
 * provides itself (no public registry is reachable on an offline machine), made from the
 * host's busybox on first use, when the file starts FROM it. Docker container actions
 * (docker-action.ts) build with it too.
 */
export async function builderFor(containerfile: string, onOutput: (text: string) => void): Promise<ImageBuilder> {
  const builder = await (builderFound ??= forget(detectBuilder(), () => (builderFound = undefined)));
  if (baseReferences(readFileSync(containerfile, 'utf8'), {}).some((f) => f === busyboxImage || f === busyboxImage.replace(/:latest$/, ''))) {
    await (busyboxReady ??= forget(ensureBusyboxImage(busyboxImage, onOutput), () => (busyboxReady = undefined)));
  }
  return builder;
}

export const buildImage: BuiltInAction = async (ctx) => {
  const { sha } = ctx.claimed;
  const project = ctx.claimed.project;
  const image = ctx.inputs.image ?? project;
  if (!isValidName(image)) throw new SlipwayError('WORKFLOW_INVALID', `slipway/build-image: invalid image name "${image}"`);
  const contextDir = resolve(ctx.paths.workspace, ctx.inputs.context ?? '.');
  const file = ctx.inputs.file
    ? resolve(ctx.paths.workspace, ctx.inputs.file)
    : [join(contextDir, 'Containerfile'), join(contextDir, 'Dockerfile')].find((f) => existsSync(f));
  if (!file || !existsSync(file)) {
    throw new SlipwayError('BUILD_FAILED', `slipway/build-image: no ${ctx.inputs.file ?? 'Containerfile or Dockerfile'} in ${ctx.inputs.context ?? 'the repository root'}`);
  }
  const builder = await builderFor(file, (t) => ctx.log.write(t));
  const containerfile = readFileSync(file, 'utf8');
  const buildArgs = parseBuildArgs(ctx.inputs['build-args']);
  const repository = `localhost/slipway-build/${project}/${image}`;
  const tag = `${repository}:${sha}`;
  const time = await commitTime(contextDir, sha);
  if ('unknown' in time) ctx.log.line(`Commit time unknown (${time.unknown}); the image is stamped with the build's time and is not reproducible`);
  else if (declaresSourceDateEpoch(containerfile)) buildArgs.SOURCE_DATE_EPOCH ??= String(time.seconds);
  const timestamp = 'seconds' in time ? time.seconds : undefined;
  const registry = ctx.api.registry();
  const destination = `${registry.host}/${project}/${image}:${sha}`;
  ctx.log.line(`Building ${file} with ${builder.name} as ${tag}`);
  const onOutput = (t: string) => ctx.log.write(t);
  const buildStart = Date.now();
  const pushed = unpushed.track(tag);
  let digest: string;
  try {
    try {
      await builder.build({ contextDir, containerfile: file, tag, buildArgs, timestamp, onOutput, signal: ctx.signal });
    } catch (err) {
      throw new SlipwayError('BUILD_FAILED', `image build failed: ${(err as Error).message}`, { cause: err });
    }
    ctx.log.line(`Built in ${Date.now() - buildStart} ms`);
    ctx.log.line(`Pushing ${destination}`);
    const pushStart = Date.now();
    // The job's own token: it may push this project's repositories and nothing else.
    ({ digest } = await builder.push({ tag, destination, username: 'job', password: ctx.claimed.token, insecure: registry.insecure, onOutput, signal: ctx.signal }));
    ctx.log.line(`Pushed in ${Date.now() - pushStart} ms`);
  } finally {
    pushed();
  }
  const release = await ctx.api.recordRelease(ctx.claimed.id, { image: `${project}/${image}`, digest });
  ctx.log.line(`Release ${release.id}: ${project}/${image}@${digest}`);
  await pruneBuildImages(builder, repository, sha, ctx.log);
  return { outputs: { digest, image: `${registry.host}/${project}/${image}@${digest}`, release: release.id } };
};

/** Build images kept per repository on the host after a push besides the one pushed (and those not pushed yet), for the build cache. */
const olderBuildImagesKept = 2;

/** Local tags this process is building or pushing, so that a prune after another job's push keeps them (jobs of one repository may overlap). */
class UnpushedTags {
  readonly #count = new Map<string, number>();

  /** Counts `tag` in until the returned function is called. */
  track(tag: string): () => void {
    this.#count.set(tag, (this.#count.get(tag) ?? 0) + 1);
    return () => {
      const left = (this.#count.get(tag) ?? 1) - 1;
      if (left > 0) this.#count.set(tag, left);
      else this.#count.delete(tag);
    };
  }

  in(repository: string): string[] {
    return [...this.#count.keys()].filter((t) => t.startsWith(`${repository}:`)).map((t) => t.slice(repository.length + 1));
  }
}

const unpushed = new UnpushedTags();

async function pruneBuildImages(builder: ImageBuilder, repository: string, pushedTag: string, log: LogWriter): Promise<void> {
  try {
    const keepTags = [pushedTag, ...unpushed.in(repository)];
    const removed = await builder.prune({ repository, keepTags, keep: olderBuildImagesKept, onOutput: (t) => log.write(t) });
    if (removed.length > 0) log.line(`Removed ${removed.length} older build image tag(s) of ${repository}`);
  } catch (err) {
    // The release is pushed and recorded; a prune that failed (an image in use) is retried after the next push.
    log.line(`Could not remove older build images of ${repository}: ${(err as Error).message}`);
  }
}
