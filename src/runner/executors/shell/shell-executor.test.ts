import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runExecutorContract } from '../executor.contract.ts';
import { bareJob, eventually, sleepers } from '../contract-support.ts';
import { ShellExecutor } from './shell-executor.ts';

runExecutorContract('shell', async () => new ShellExecutor({ killGraceMs: 300 }));

describe('ShellExecutor', () => {
  let workspace = '';
  const executor = new ShellExecutor({ killGraceMs: 300 });
  const run = async (script: string, extra: { shell?: string; timeoutMs?: number } = {}) => {
    let output = '';
    const outcome = await executor.run({ script, cwd: workspace, env: {}, onOutput: (t) => (output += t), ...extra });
    return { ...outcome, output };
  };

  before(async () => {
    workspace = await realpath(await mkdtemp(join(tmpdir(), 'slipway-shell-')));
    await executor.setup(bareJob(workspace));
  });
  after(async () => {
    await executor.teardown();
    await rm(workspace, { recursive: true, force: true });
  });

  test('the default shell is bash -e, without pipefail (GitHub: unspecified shell)', async () => {
    const result = await run('echo "bash=${BASH_VERSION:+yes}"\nfalse | true\necho piped\n');
    assert.deepEqual([result.exitCode, result.output], [0, 'bash=yes\npiped\n']);
  });

  test('shell: bash adds pipefail', async () => {
    const result = await run('false | true\necho after\n', { shell: 'bash' });
    assert.deepEqual([result.exitCode, result.output], [1, '']);
  });

  test('a template with quoted arguments', async () => {
    const result = await run('echo "$0 $1"', { shell: `bash -c '. "$0"' {0}` });
    assert.equal(result.exitCode, 0);
    assert.match(result.output, /step-\d+/);
  });

  test('a missing shell fails the step with 127', async () => {
    const result = await run('true', { shell: 'no-such-shell-binary {0}' });
    assert.equal(result.exitCode, 127);
    assert.match(result.output, /cannot run no-such-shell-binary/);
  });

  test('a timed-out step whose grandchild left the process group (setsid) still ends', async () => {
    const escaped = 1_000_000 + Math.floor(Math.random() * 8_000_000);
    const started = Date.now();
    try {
      const result = await run(`setsid sleep ${escaped} &\nsleep ${escaped + 1}\n`, { timeoutMs: 500 });
      assert.equal(result.timedOut, true);
      assert.ok(Date.now() - started < 5000, 'the step ended promptly');
      await eventually(async () => (await sleepers(escaped + 1)).length === 0, 3000, 'the in-group sleep to end');
    } finally {
      for (const pid of await sleepers(escaped)) process.kill(pid, 'SIGKILL');
    }
  });
});
