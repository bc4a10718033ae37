// The job environment every Executor owns (Woodpecker's backend: set up, run, destroy):
// services on the job's network, `docker://` steps beside the job, and a teardown that
// leaves nothing behind. Run by runExecutorContract for every executor; needs podman.
import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxImage, ensureBusyboxImage } from '../../build/base-image.ts';
import { runTool } from '../../build/run-tool.ts';
import type { ContainerStep, Executor } from '../executor.ts';
import { bareJob, eventually, sleepers, uniqueSeconds } from './contract-support.ts';
import { jobVolumeName } from './container/job-volumes.ts';

async function runContainer(executor: Executor, step: Partial<ContainerStep> & { args: string[] }) {
  let output = '';
  const outcome = await executor.runContainer({ image: busyboxImage, env: {}, volumes: [], workdir: '/', onOutput: (t) => (output += t), ...step });
  return { ...outcome, output };
}

const exists = async (kind: 'container' | 'network' | 'volume', name: string) => (await runTool('podman', [kind, 'exists', name])).exitCode === 0;

export function runJobEnvironmentContract(name: string, create: () => Promise<Executor>): void {
  describe(`Executor contract, job environment: ${name}`, () => {
    let workspace = '';
    let executor: Executor;

    before(async () => {
      await ensureBusyboxImage(busyboxImage);
      workspace = await realpath(await mkdtemp(join(tmpdir(), 'slipway-contract-env-')));
      executor = await create();
      await executor.setup(bareJob(workspace));
    });
    after(async () => {
      await executor.teardown();
      await rm(workspace, { recursive: true, force: true });
    });

    test('teardown before setup does nothing', async () => {
      const fresh = await create();
      await fresh.teardown();
      await fresh.teardown();
    });

    test('a container step gets its env by name, its mounts, working directory, entrypoint and exit code', async () => {
      await writeFile(join(workspace, 'in.txt'), 'from the workspace\n');
      const value = `a b "c" 'd'\nline2`;
      const result = await runContainer(executor, {
        env: { SLIPWAY_VALUE: value }, volumes: [`${workspace}:/github/workspace`], workdir: '/github/workspace',
        entrypoint: 'sh', args: ['-c', 'printf "%s|%s|" "$SLIPWAY_VALUE" "$(pwd)"; cat in.txt; exit 3'],
      });
      assert.equal(result.exitCode, 3);
      assert.equal(result.output, `${value}|/github/workspace|from the workspace\n`);
      assert.deepEqual([result.timedOut, result.cancelled], [false, false]);
    });

    test('a container step that times out is killed, container and all', async () => {
      const seconds = uniqueSeconds();
      const result = await runContainer(executor, { args: ['sh', '-c', `echo started; sleep ${seconds}`], timeoutMs: 1500 });
      assert.equal(result.timedOut, true);
      assert.match(result.output, /started/);
      await eventually(async () => (await sleepers(seconds)).length === 0, 5000, 'the container\'s sleep to end');
    });

    test('aborting a container step cancels it and removes its container', async () => {
      const seconds = uniqueSeconds();
      const controller = new AbortController();
      const outcome = await executor.runContainer({
        image: busyboxImage, env: {}, volumes: [], workdir: '/', args: ['sh', '-c', `echo started; sleep ${seconds}`],
        signal: controller.signal, onOutput: (t) => { if (t.includes('started')) controller.abort(); },
      });
      assert.equal(outcome.cancelled, true);
      await eventually(async () => (await sleepers(seconds)).length === 0, 5000, 'the container\'s sleep to end');
    });

    test('services run on the job network, answer container steps by name, and teardown removes them', async () => {
      const withServices = await create();
      const env = await withServices.setup({
        ...bareJob(workspace),
        services: { web: { image: busyboxImage, env: {}, ports: ['80'], options: `--hostname websvc --entrypoint '["httpd","-f","-p","80","-h","/etc"]'` } },
      });
      try {
        assert.notEqual(env.network, '');
        assert.equal(env.services.web?.network, env.network);
        assert.match(env.services.web?.ports['80'] ?? '', /^\d+$/);
        const result = await runContainer(withServices, { args: ['wget', '-q', '-O', '-', 'http://web/hostname'] });
        assert.deepEqual([result.exitCode, result.output.trim()], [0, 'websvc']);
      } finally {
        await withServices.teardown();
      }
      assert.equal(await exists('container', env.services.web!.id), false, 'the service container is gone');
      assert.equal(await exists('network', env.network), false, 'the job network is gone');
    });

    test('a service runs its entrypoint and command with the job\'s own named volume, which teardown removes', async () => {
      const withVolume = await create();
      const job = {
        ...bareJob(workspace),
        services: {
          store: {
            image: busyboxImage, env: {}, ports: [], volumes: ['shared:/data', '/scratch'],
            entrypoint: 'sh', command: `-c "echo written-by-store > /data/f && exec httpd -f -p 80 -h /data"`,
          },
        },
      };
      const env = await withVolume.setup(job);
      const volume = jobVolumeName(job.jobId, 'shared');
      try {
        assert.equal(await exists('volume', volume), true, 'the job\'s volume exists under its per-job name');
        // The service serves /data over HTTP once its command wrote the file.
        let body = '';
        await eventually(async () => {
          body = (await runContainer(withVolume, { args: ['wget', '-q', '-O', '-', 'http://store/f'] })).output.trim();
          return body === 'written-by-store';
        }, 10_000, 'the service to serve the file its command wrote');
      } finally {
        await withVolume.teardown();
      }
      assert.equal(await exists('container', env.services.store!.id), false, 'the service container is gone');
      assert.equal(await exists('volume', volume), false, 'the job\'s named volume is gone');
    });
  });
}
