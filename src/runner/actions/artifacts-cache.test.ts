// actions/upload-artifact, download-artifact and cache against the real in-process
// RunnerApi: a SQLite store in memory and archives in a temp data dir.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ClaimedJob } from '../protocol/wire.ts';
import { actionTestServer } from './action-test-support.ts';
import { LogWriter } from '../log-writer.ts';
import type { JobPaths } from '../job-context.ts';
import type { PostStep } from '../job-state.ts';
import type { ActionContext, BuiltInAction } from './action.ts';
import { uploadArtifact } from './upload-artifact.ts';
import { downloadArtifact } from './download-artifact.ts';
import { cache } from './cache.ts';
import { isSlipwayError } from '../../core/errors.ts';
import { ShellExecutor } from '../executors/shell/shell-executor.ts';
import { bareJob } from '../executors/contract-support.ts';
import { createReadStream, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const { tmp, dataDir, store, api, project } = await actionTestServer('artifacts');
// Where the job's steps run: a cache is unpacked there, with the job's privileges (here: this user's shell).
const executor = new ShellExecutor();
await executor.setup(bareJob(tmp));
after(() => executor.teardown());

async function newJobs(n: number) {
  const run = await store.runs.create({
    projectId: project.id, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha: 'a'.repeat(40),
    jobs: Array.from({ length: n }, (_, i) => ({ key: `j${i}`, name: `j${i}`, needs: [], runsOn: ['local'] })),
  });
  return { run, jobs: await store.runs.jobs(run.id) };
}

function workspace(name: string): JobPaths {
  const root = join(tmp, name);
  mkdirSync(join(root, 'ws'), { recursive: true });
  mkdirSync(join(root, 'temp'), { recursive: true });
  return { workspace: join(root, 'ws'), temp: join(root, 'temp'), toolCache: join(root, 'tool-cache'), actions: join(root, 'actions'), event: join(root, 'event.json'), files: { env: '', output: '', path: '', summary: '', state: '' } };
}

function put(dir: string, files: Record<string, string>) {
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
}

async function call(action: BuiltInAction, jobId: string, paths: JobPaths, inputs: Record<string, string>, posts: PostStep[] = []) {
  let text = '';
  const log = new LogWriter({ startSeq: 0, send: async (_s, t) => void (text += t) });
  const ctx: ActionContext = {
    claimed: { id: jobId, project: 'demo' } as ClaimedJob, api, paths, log, inputs, env: {}, signal: new AbortController().signal,
    stepName: 'Run the action', addPostStep: (p) => posts.push(p), jobFailed: () => false,
    runInJob: async (script) => {
      let output = '';
      const o = await executor.run({ script, shell: 'sh', env: {}, cwd: paths.workspace, onOutput: (t) => (output += t) });
      return { exitCode: o.exitCode, output };
    },
  };
  try {
    const result = await action(ctx);
    return { result, log: () => log.flush().then(() => text) };
  } finally {
    await log.flush();
  }
}

test('upload-artifact then download-artifact in another job of the run, by name and all at once', async () => {
  const { run, jobs } = await newJobs(2);
  const up = workspace('up');
  put(up.workspace, { 'dist/app.js': 'app', 'dist/sub/lib.js': 'lib', 'dist/.env': 'hidden', 'dist/skip.map': 'map', 'report.txt': 'report' });
  await call(uploadArtifact, jobs[0]!.id, up, { name: 'dist', path: 'dist/\n!dist/**/*.map' });
  await call(uploadArtifact, jobs[0]!.id, up, { path: 'report.txt' }); // default name `artifact`, a single file by its base name
  assert.deepEqual((await api.listArtifacts(jobs[1]!.id)).map((a) => a.name), ['dist', 'artifact']);
  // In the object store (files under DATA/storage here): the name hashed, and a part of its own per upload.
  assert.equal(readdirSync(join(dataDir, 'storage', 'objects', 'artifacts', run.id)).filter((f) => /^[0-9a-f]{64}-[0-9a-f]{12}\.tgz$/.test(f)).length, 2);

  await assert.rejects(call(uploadArtifact, jobs[1]!.id, up, { name: 'dist', path: 'dist' }), (e) => isSlipwayError(e, 'CONFLICT'));
  await assert.rejects(call(uploadArtifact, jobs[1]!.id, up, { name: 'none', path: 'nope/*', 'if-no-files-found': 'error' }), /No files were found/);
  await call(uploadArtifact, jobs[1]!.id, up, { name: 'none', path: 'nope/*' });
  assert.deepEqual((await store.runOutputs.annotations(run.id)).map((a) => [a.level, a.title]), [['warning', 'upload-artifact']]);

  const down = workspace('down');
  await call(downloadArtifact, jobs[1]!.id, down, { name: 'dist', path: 'out' });
  assert.deepEqual(readdirSync(join(down.workspace, 'out'), { recursive: true }).sort(), ['app.js', 'sub', 'sub/lib.js']);
  assert.equal(readFileSync(join(down.workspace, 'out/sub/lib.js'), 'utf8'), 'lib');
  const all = await call(downloadArtifact, jobs[1]!.id, down, { path: 'all' });
  assert.equal(all.result.outputs?.['download-path'], join(down.workspace, 'all'));
  assert.equal(readFileSync(join(down.workspace, 'all/artifact/report.txt'), 'utf8'), 'report');
  assert.equal(readFileSync(join(down.workspace, 'all/dist/app.js'), 'utf8'), 'app');
  await assert.rejects(call(downloadArtifact, jobs[1]!.id, down, { name: 'missing' }), /Artifact not found for name: missing/);
});

test('cache: miss saves in the post step, exact key hits, restore-keys match by prefix', async () => {
  const { jobs } = await newJobs(3);
  const first = workspace('cache1');
  put(first.workspace, { 'deps/a.txt': 'A', 'deps/b/c.txt': 'C' });
  const posts: PostStep[] = [];
  const miss = await call(cache, jobs[0]!.id, first, { key: 'deps-v1-abc', path: 'deps\n~/.nothing-here-slipway' }, posts);
  assert.equal(miss.result.outputs?.['cache-hit'], '');
  assert.equal(posts.length, 1);
  assert.equal(posts[0]!.condition, 'success');
  await posts[0]!.run();

  const second = workspace('cache2');
  const hitPosts: PostStep[] = [];
  const hit = await call(cache, jobs[1]!.id, second, { key: 'deps-v1-abc', path: 'deps' }, hitPosts);
  assert.equal(hit.result.outputs?.['cache-hit'], 'true');
  assert.equal(hitPosts.length, 0, 'an exact hit is not saved again');
  assert.equal(readFileSync(join(second.workspace, 'deps/b/c.txt'), 'utf8'), 'C');

  const third = workspace('cache3');
  const partialPosts: PostStep[] = [];
  const partial = await call(cache, jobs[2]!.id, third, { key: 'deps-v1-def', path: 'deps', 'restore-keys': 'deps-v1-\ndeps-' }, partialPosts);
  assert.equal(partial.result.outputs?.['cache-hit'], 'false');
  assert.equal(partial.result.outputs?.['cache-matched-key'], 'deps-v1-abc');
  assert.equal(readFileSync(join(third.workspace, 'deps/a.txt'), 'utf8'), 'A');
  assert.equal(partialPosts.length, 1);
  const cacheFiles = readdirSync(join(dataDir, 'storage', 'objects', 'caches', project.id));
  assert.equal(cacheFiles.length, 1);
  assert.match(cacheFiles[0]!, /^[0-9a-f]{64}-[0-9a-f]{12}\.tgz$/);
});

test('cache: a hostile archive (absolute name, .., a link out and a write through it) is refused before anything is unpacked', async () => {
  const { jobs } = await newJobs(5);
  const outside = join(tmp, 'outside');
  mkdirSync(outside, { recursive: true });
  const craft = join(tmp, 'craft');
  mkdirSync(craft, { recursive: true });
  writeFileSync(join(craft, 'f'), 'pwned');
  symlinkSync(outside, join(craft, 'evil'));
  const archives: Record<string, string[]> = {
    absolute: ['-P', join(craft, 'f')],
    dotdot: ['-P', '--transform', 's|^f$|../../outside/dotdot|', 'f'],
    'link-out': ['evil'],
    'write-through': ['--transform', 's|^f$|evil/through|', 'evil', 'f'],
  };
  let i = 0;
  for (const [name, args] of Object.entries(archives)) {
    const file = join(tmp, `${name}.tgz`);
    execFileSync('tar', ['-czf', file, '-C', craft, ...args]);
    await api.saveCache(jobs[i]!.id, `hostile-${name}`, createReadStream(file));
    const paths = workspace(`hostile-${name}`);
    await assert.rejects(call(cache, jobs[i + 1]!.id, paths, { key: `hostile-${name}`, path: 'x' }), (e) => isSlipwayError(e, 'ARCHIVE_UNSAFE') && /nothing was restored/.test((e as Error).message), name);
    assert.deepEqual(readdirSync(paths.workspace), [], `${name}: nothing unpacked`);
    assert.deepEqual(readdirSync(paths.temp), [], `${name}: the archive was removed`);
    i = (i + 1) % 4;
  }
  assert.deepEqual(readdirSync(outside), [], 'nothing was written outside the job');
});

test('cache: a saved RUNNER_TEMP path comes back there', async () => {
  const { jobs } = await newJobs(2);
  const first = workspace('temp1');
  put(first.temp, { 'tool/bin.txt': 'T' });
  const posts: PostStep[] = [];
  await call(cache, jobs[0]!.id, first, { key: 'temp-v1', path: `${first.temp}/tool` }, posts);
  await posts[0]!.run();
  const second = workspace('temp2');
  await call(cache, jobs[1]!.id, second, { key: 'temp-v1', path: `${second.temp}/tool` });
  assert.equal(readFileSync(join(second.temp, 'tool/bin.txt'), 'utf8'), 'T');
});
