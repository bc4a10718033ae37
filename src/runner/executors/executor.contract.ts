// The behaviour every Executor must have, as node:test cases. Each executor's test file calls
// runExecutorContract(); an executor is done when the contract passes. `run:` steps are
// checked here, the job environment (services, container steps, teardown) in
// job-environment.contract.ts, which this runs too.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Executor, StepCommand, StepOutcome } from '../executor.ts';
import { bareJob, eventually, sleepers, uniqueSeconds } from './contract-support.ts';
import { runJobEnvironmentContract } from './job-environment.contract.ts';

/** Runs a step, collecting its output. */
async function runStep(executor: Executor, step: Partial<StepCommand> & { script: string; cwd: string }) {
  let output = '';
  const outcome: StepOutcome = await executor.run({ env: {}, onOutput: (text) => (output += text), ...step });
  return { ...outcome, output };
}

/** `create` makes a fresh executor (it is called more than once). */
export function runExecutorContract(name: string, create: () => Promise<Executor>): void {
  describe(`Executor contract: ${name}`, () => {
    let workspace = '';
    let executor: Executor;

    before(async () => {
      workspace = await realpath(await mkdtemp(join(tmpdir(), 'slipway-contract-')));
      executor = await create();
      await executor.setup(bareJob(workspace));
    });
    after(async () => {
      await executor.teardown();
      await executor.teardown(); // Idempotent.
      await rm(workspace, { recursive: true, force: true });
    });

    test('streams output while the step runs', async () => {
      // The step waits for a file the output callback creates: it can only finish if its
      // first line reached onOutput before the process ended.
      const marker = join(workspace, 'streamed');
      let output = '';
      const outcome = await executor.run({
        script: `echo first\nwhile [ ! -f '${marker}' ]; do sleep 0.02; done\necho second >&2\n`,
        cwd: workspace, env: {}, timeoutMs: 20_000,
        onOutput: (text) => {
          output += text;
          if (output.includes('first') && !existsSync(marker)) void writeFile(marker, '');
        },
      });
      assert.deepEqual(outcome, { exitCode: 0, timedOut: false, cancelled: false });
      assert.match(output, /first\n[^]*second\n/);
    });

    test('reports exit codes, and the default shell stops at the first failing command', async () => {
      assert.equal((await runStep(executor, { script: 'exit 3', cwd: workspace })).exitCode, 3);
      const failed = await runStep(executor, { script: 'echo before\nfalse\necho after\n', cwd: workspace });
      assert.equal(failed.exitCode, 1);
      assert.equal(failed.output, 'before\n');
    });

    test('passes env, including values with spaces, quotes and newlines', async () => {
      const value = `a b "c" 'd' $HOME\nline2`;
      const result = await runStep(executor, {
        script: 'printf "%s|%s" "$SLIPWAY_VALUE" "$SLIPWAY_OTHER"', cwd: workspace,
        env: { SLIPWAY_VALUE: value, SLIPWAY_OTHER: 'x' },
      });
      assert.equal(result.output, `${value}|x`);
    });

    test('runs in the given working directory', async () => {
      const dir = join(workspace, 'sub dir');
      await mkdir(dir, { recursive: true });
      const result = await runStep(executor, { script: 'pwd', cwd: dir });
      assert.equal(result.output.trim(), dir);
    });

    test('a missing working directory fails the step with a message naming it', async () => {
      const missing = join(workspace, 'no-such-dir');
      const result = await runStep(executor, { script: 'echo ran', cwd: missing });
      assert.equal(result.exitCode, 1);
      assert.match(result.output, new RegExp(`working-directory ${missing} does not exist`));
      assert.doesNotMatch(result.output, /ran|ENOENT/);
    });

    test('a timeout also kills what left the step\'s session and process group (setsid)', async () => {
      const [escaped, doubled] = [uniqueSeconds(), uniqueSeconds()];
      const result = await runStep(executor, {
        script: `setsid sleep ${escaped} >/dev/null 2>&1 </dev/null &\n(setsid sh -c 'sleep ${doubled} &' >/dev/null 2>&1 </dev/null &)\necho started\nsleep 1000\n`,
        cwd: workspace, timeoutMs: 1000,
      });
      assert.equal(result.timedOut, true);
      assert.match(result.output, /started/);
      try {
        await eventually(async () => (await sleepers(escaped)).length + (await sleepers(doubled)).length === 0, 5000, 'the setsid sleeps to end');
      } finally {
        for (const pid of [...await sleepers(escaped), ...await sleepers(doubled)]) process.kill(pid, 'SIGKILL');
      }
    });

    test('a timeout kills the whole process tree, including children that ignore SIGTERM', async () => {
      const seconds = uniqueSeconds();
      const started = Date.now();
      const result = await runStep(executor, {
        script: `sleep ${seconds} &\nsleep ${seconds} &\n(trap '' TERM; sleep ${seconds}) &\necho started\nwait\n`,
        cwd: workspace, timeoutMs: 1000,
      });
      assert.equal(result.timedOut, true);
      assert.equal(result.cancelled, false);
      assert.notEqual(result.exitCode, 0);
      assert.match(result.output, /started/);
      assert.ok(Date.now() - started < 15_000, 'the step ended promptly');
      await eventually(async () => (await sleepers(seconds)).length === 0, 3000, 'the step\'s sleeps to end');
    });

    test('aborting the signal cancels the step and kills its processes', async () => {
      const seconds = uniqueSeconds();
      const controller = new AbortController();
      const outcome = await executor.run({
        script: `sleep ${seconds} &\necho started\nwait\n`, cwd: workspace, env: {},
        signal: controller.signal,
        onOutput: (text) => { if (text.includes('started')) controller.abort(); },
      });
      assert.equal(outcome.cancelled, true);
      assert.equal(outcome.timedOut, false);
      assert.notEqual(outcome.exitCode, 0);
      await eventually(async () => (await sleepers(seconds)).length === 0, 3000, 'the step\'s sleep to end');
    });

    test('an already aborted signal runs nothing', async () => {
      const marker = join(workspace, 'must-not-exist');
      const outcome = await executor.run({
        script: `touch '${marker}'`, cwd: workspace, env: {}, signal: AbortSignal.abort(), onOutput: () => {},
      });
      assert.equal(outcome.cancelled, true);
      assert.equal(existsSync(marker), false);
    });

    test('a background process that keeps the output open does not hold the step', async () => {
      const seconds = uniqueSeconds();
      const started = Date.now();
      const result = await runStep(executor, { script: `sleep ${seconds} &\necho done\n`, cwd: workspace, timeoutMs: 20_000 });
      assert.deepEqual([result.exitCode, result.timedOut, result.output], [0, false, 'done\n']);
      assert.ok(Date.now() - started < 5000, 'the step ended promptly');
      assert.equal((await sleepers(seconds)).length, 1, 'the background process keeps running');
      await executor.teardown(); // Ends what the job left behind …
      await eventually(async () => (await sleepers(seconds)).length === 0, 5000, 'the background sleep to end');
      await executor.setup(bareJob(workspace)); // … and the executor can be set up again for the next tests.
    });

    test('shell: sh runs sh -e', async () => {
      const result = await runStep(executor, {
        script: 'echo "bash=[${BASH_VERSION:-}]"\nfalse\necho after\n', shell: 'sh', cwd: workspace,
      });
      assert.equal(result.exitCode, 1);
      assert.equal(result.output, 'bash=[]\n');
    });

    test('a custom shell template gets the script path for {0}', async () => {
      const result = await runStep(executor, { script: 'echo hi\n', shell: 'sh -x {0}', cwd: workspace });
      assert.equal(result.exitCode, 0);
      assert.match(result.output, /^\+ echo hi$/m);
      assert.match(result.output, /^hi$/m);
    });

    test('an unknown shell name is rejected', async () => {
      await assert.rejects(runStep(executor, { script: 'true', shell: 'nosuchshell', cwd: workspace }), { code: 'WORKFLOW_INVALID' });
    });
  });
  runJobEnvironmentContract(name, create);
}
