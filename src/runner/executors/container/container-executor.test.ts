import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureBusyboxImage } from '../../../build/base-image.ts';
import { runExecutorContract } from '../executor.contract.ts';
import { bareJob } from '../contract-support.ts';
import { ContainerExecutor } from './container-executor.ts';
import { runTool, runToolOrThrow } from '../../../build/run-tool.ts';
import { jobVolumeName } from './job-volumes.ts';

const image = 'localhost/slipway/busybox:latest';
const uniqueName = () => `slipway-test-${randomBytes(4).toString('hex')}`;

await ensureBusyboxImage(image);

runExecutorContract('container', async () => new ContainerExecutor({
  container: { image, env: {} }, name: uniqueName(), killGraceMs: 500,
}));

describe('ContainerExecutor', () => {
  let workspace = '';
  const name = uniqueName();
  let executor: ContainerExecutor;

  before(async () => {
    workspace = await realpath(await mkdtemp(join(tmpdir(), 'slipway-container-')));
    executor = new ContainerExecutor({
      container: { image, env: { JOB_LEVEL: 'from the job container', PATH: '/bin:/custom' }, options: '--hostname job-host' },
      name, labels: { 'slipway.test': 'container-executor' },
    });
    await executor.setup(bareJob(workspace));
  });
  after(async () => {
    await executor.teardown();
    await rm(workspace, { recursive: true, force: true });
  });

  test('the job container gets its env and options, and steps default to sh', async () => {
    let output = '';
    const outcome = await executor.run({
      script: 'echo "$JOB_LEVEL|$PATH|$(hostname)|${BASH_VERSION:-sh}|$0"', cwd: workspace, env: {},
      onOutput: (text) => (output += text),
    });
    assert.equal(outcome.exitCode, 0);
    assert.match(output, /^from the job container\|\/bin:\/custom\|job-host\|sh\|\/__slipway\/tmp\/step-\d+\.sh\n$/);
  });

  test('files written by steps land in the mounted workspace', async () => {
    const outcome = await executor.run({ script: 'echo hello > out.txt', cwd: workspace, env: {}, onOutput: () => {} });
    assert.equal(outcome.exitCode, 0);
    assert.equal(await readFile(join(workspace, 'out.txt'), 'utf8'), 'hello\n');
  });

  test('the job\'s evaluated container: its ports published on 127.0.0.1, its named volume shared with a service and removed after', async () => {
    const otherName = uniqueName();
    const other = new ContainerExecutor({ container: { image: 'unevaluated-${{ matrix.x }}', env: {} }, name: otherName });
    const job = {
      ...bareJob(workspace),
      container: { image, env: {}, ports: ['8080'], volumes: ['cache:/cache'] },
      services: { writer: { image, env: {}, ports: [], volumes: ['cache:/out'], entrypoint: 'sh', command: '-c "echo from-service > /out/f && exec sleep 1000"' } },
    };
    await other.setup(job);
    const volume = jobVolumeName(job.jobId, 'cache');
    try {
      let output = '';
      const outcome = await other.run({ script: 'for i in 1 2 3 4 5 6 7 8 9 10; do [ -f /cache/f ] && break; sleep 0.2; done; cat /cache/f', cwd: workspace, env: {}, onOutput: (t) => (output += t) });
      assert.deepEqual([outcome.exitCode, output], [0, 'from-service\n']);
      assert.match(await runToolOrThrow('podman', ['port', otherName]), /^8080\/tcp -> 127\.0\.0\.1:\d+$/m);
    } finally {
      await other.teardown();
    }
    assert.equal((await runTool('podman', ['volume', 'exists', volume])).exitCode, 1, 'the job\'s volume is gone');
  });

  test('teardown() removes the container', async () => {
    const otherName = uniqueName();
    const other = new ContainerExecutor({ container: { image, env: {} }, name: otherName });
    await other.setup(bareJob(workspace));
    assert.equal((await runTool('podman', ['container', 'exists', otherName])).exitCode, 0);
    await other.teardown();
    await other.teardown();
    assert.equal((await runTool('podman', ['container', 'exists', otherName])).exitCode, 1);
  });
});
