// Image build figures (issue 14, "What to build" 1): a cold build, a warm rebuild of the same
// commit, and a warm build of the next commit (another COMMIT build arg), each pushed to a
// registry so the digests can be compared. "before" is buildah's own layer cache
// (`buildah bud --layers`, what Slipway ran until issue 14); "after" is ContainersBuilder
// (no --layers, stamped with the commit time, the whole-build cache). The Containerfile has a
// slow step before `ARG COMMIT` (standing for installing dependencies), which --layers can
// reuse across commits, and takes COMMIT only through ENV, which --layers gets wrong.
// Usage: node bench/build.ts [--slow-seconds N]   (run it under `flock /tmp/podman.lock`)
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { busyboxImage, ensureBusyboxImage } from '../src/build/base-image.ts';
import { ContainersBuilder } from '../src/build/containers-builder.ts';
import { localImages } from '../src/build/local-images.ts';
import { runToolOrThrow } from '../src/build/run-tool.ts';
import { startTestRegistry } from '../test/registry/test-registry.ts';

const { values } = parseArgs({ options: { 'slow-seconds': { type: 'string', default: '3' } } });
const builder = new ContainersBuilder('buildah');
const repository = `localhost/slipway-bench/build-${process.pid}`;
const context = await mkdtemp(join(tmpdir(), 'slipway-bench-build-'));
await ensureBusyboxImage();
const registry = await startTestRegistry();
const existing = new Set((await localImages('buildah')).map((i) => i.id));
const containerfile = join(context, 'Containerfile');
await writeFile(containerfile, [
  `FROM ${busyboxImage}`,
  `RUN sleep ${Number(values['slow-seconds'])} && echo deps > /deps`,
  'COPY app /app', 'ARG COMMIT', 'ENV COMMIT=$COMMIT', 'CMD ["sh", "-c", "echo $COMMIT"]', '',
].join('\n'));
await mkdir(join(context, 'app'));
await writeFile(join(context, 'app/index.html'), 'hello\n');

/** Everything this bench made: the repository's names, and the unnamed images --layers leaves as its cache. */
async function clean(): Promise<void> {
  const mine = (await localImages('buildah')).filter((i) => !existing.has(i.id) && (i.names.length === 0 || i.names.some((n) => n.startsWith(`${repository}:`))));
  if (mine.length > 0) await runToolOrThrow('podman', ['rmi', '--force', ...mine.map((i) => i.id)]);
}

interface Row { mode: string; build: string; seconds: number; digest: string; commitInImage: string; expected: string }
const rows: Row[] = [];

async function measure(mode: 'before' | 'after', build: string, commit: { sha: string; time: number }): Promise<void> {
  const tag = `${repository}:${mode}-${build.replace(/\W+/g, '-')}`;
  const started = performance.now();
  if (mode === 'before') {
    await runToolOrThrow('buildah', ['bud', '--layers', '--force-rm', '--build-arg', `COMMIT=${commit.sha}`, '-f', containerfile, '-t', tag, context]);
  } else {
    await builder.build({ contextDir: context, containerfile, tag, buildArgs: { COMMIT: commit.sha }, timestamp: commit.time, onOutput: () => {} });
  }
  const seconds = (performance.now() - started) / 1000;
  const { digest } = await builder.push({ tag, destination: `${registry.host}/bench/${mode}:${build.replace(/\W+/g, '-')}`, username: '', password: '', insecure: true, onOutput: () => {} });
  const env = JSON.parse(await runToolOrThrow('podman', ['image', 'inspect', '--format', '{{json .Config.Env}}', tag])) as string[];
  const commitInImage = env.find((e) => e.startsWith('COMMIT='))?.slice('COMMIT='.length) ?? '';
  rows.push({ mode, build, seconds, digest, commitInImage, expected: commit.sha });
}

const first = { sha: '55e8882', time: 1_700_000_000 };
const next = { sha: '6cd5d39', time: 1_700_000_600 };
try {
  for (const mode of ['before', 'after'] as const) {
    await clean();
    await measure(mode, 'cold', first);
    await measure(mode, 'warm, same commit', first);
    await measure(mode, 'warm, next commit (COMMIT changed)', next);
    await clean();
    await measure(mode, 'cold again, same commit', first);
  }
} finally {
  await clean();
  await registry.close();
  await rm(context, { recursive: true, force: true });
}

console.log(`slow step: ${values['slow-seconds']} s; before = buildah bud --layers, after = ContainersBuilder`);
console.log(['mode  ', 'build'.padEnd(36), 'seconds', 'digest'.padEnd(19), 'COMMIT in image'].join('  '));
for (const r of rows) {
  const verdict = r.commitInImage === r.expected ? 'right' : `WRONG, expected ${r.expected}`;
  console.log([r.mode.padEnd(6), r.build.padEnd(36), r.seconds.toFixed(2).padStart(7), r.digest.slice(0, 19), `${r.commitInImage} (${verdict})`].join('  '));
}
for (const mode of ['before', 'after']) {
  const digests = rows.filter((r) => r.mode === mode && r.expected === first.sha).map((r) => r.digest);
  console.log(`${mode}: the first commit built ${digests.length} times (cold, warm, clean again) gave ${new Set(digests).size} digest(s)`);
}
