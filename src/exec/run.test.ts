import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { isSlipwayError } from '../core/errors.ts';
import { ExecError } from './exec-error.ts';
import type { ExecFailure } from './exec-error.ts';
import { groupAlive } from './kill.ts';
import { run, runOrThrow } from './run.ts';

test('run resolves with the exit code and the output, whatever the code', async () => {
  const result = await run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(result.exitCode, 3);
  assert.equal(result.signal, null);
  assert.equal(result.stdout, 'out\n');
  assert.equal(result.stderr, 'err\n');
  assert.match(result.output, /out\n/);
  assert.match(result.output, /err\n/);
  assert.equal(result.timedOut, false);
});

test('a process killed by a signal exits 128 + its number, as in a shell', async () => {
  assert.equal((await run(['sh', '-c', 'kill -TERM $$'])).exitCode, 143);
  const killed = await run(['sh', '-c', 'kill -KILL $$']);
  assert.equal(killed.exitCode, 137);
  assert.equal(killed.signal, 'SIGKILL');
});

test('a command that cannot be started is an ExecError with exit code 127', async () => {
  await assert.rejects(run(['slipway-no-such-command']), (err) => {
    assert.ok(err instanceof ExecError);
    assert.equal(err.code, 'EXEC_FAILED');
    assert.equal(err.exitCode, 127);
    assert.equal(err.started, false);
    assert.match(err.message, /cannot run slipway-no-such-command: .*ENOENT/);
    return true;
  });
});

test('input goes to standard input, a string or a stream', async () => {
  assert.equal((await run(['cat'], { input: 'hello' })).stdout, 'hello');
  assert.equal((await run(['cat'], { input: Readable.from([Buffer.from('a'), Buffer.from('b')]) })).stdout, 'ab');
});

test('a command that does not read its input is not a failure', async () => {
  const result = await run(['true'], { input: 'x'.repeat(1 << 20) });
  assert.equal(result.exitCode, 0);
});

test('output streams to onOutput and binary stdout is kept as bytes', async () => {
  const seen: string[] = [];
  const result = await run(['printf', '\\377\\000ok'], { onOutput: (t) => seen.push(t) });
  assert.deepEqual([...result.stdoutBytes], [0xff, 0x00, 0x6f, 0x6b]);
  assert.ok(seen.join('').endsWith('ok'));
});

test('keep bounds the output held to its tail', async () => {
  const result = await run(['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done'], { keep: 100 });
  assert.ok(result.stdout.length <= 100);
  assert.ok(result.output.length <= 100);
  assert.ok(result.stdout.endsWith('line-1999\n'));
});

test('runOrThrow: a non-zero exit is EXEC_FAILED with one detail shape', async () => {
  await assert.rejects(runOrThrow(['sh', '-c', 'echo partial; echo broken >&2; exit 2']), (err) => {
    assert.ok(isSlipwayError(err, 'EXEC_FAILED'));
    assert.equal(err.message, 'sh exited with 2: broken');
    assert.deepEqual(err.detail, { command: ['sh', '-c', 'echo partial; echo broken >&2; exit 2'], exitCode: 2, signal: null, stdout: 'partial\n', stderr: 'broken\n' } satisfies ExecFailure);
    return true;
  });
});

test('secrets are masked in the message and every detail field', async () => {
  const mask = (text: string) => text.replaceAll('hunter2', '***');
  await assert.rejects(runOrThrow(['sh', '-c', 'echo token=hunter2; echo bad hunter2 >&2; exit 1', 'hunter2'], { mask }), (err) => {
    assert.ok(err instanceof ExecError);
    const text = JSON.stringify({ message: err.message, detail: err.detail });
    assert.doesNotMatch(text, /hunter2/);
    assert.match(text, /bad \*\*\*/);
    assert.match(text, /token=\*\*\*/);
    return true;
  });
});

test('runOrThrow can name the failure BUILD_FAILED and word its message', async () => {
  await assert.rejects(runOrThrow(['false'], { code: 'BUILD_FAILED', message: 'the build broke' }), (err) => isSlipwayError(err, 'BUILD_FAILED') && err.message === 'the build broke');
});

test('a timeout stops the process tree and says so', async () => {
  const started = Date.now();
  const result = await run(['sh', '-c', 'sleep 100 & sleep 100'], { timeoutMs: 100 });
  assert.equal(result.timedOut, true);
  assert.equal(result.exitCode, 143);
  assert.ok(Date.now() - started < 5000);
});

// The background processes do not hold the output pipes, so a kill that missed them would
// fail the test instead of only making it wait.
test('aborting kills every process in the group, then rejects with the reason', async () => {
  const controller = new AbortController();
  const pidFile: string[] = [];
  const running = run(['sh', '-c', 'sleep 100 >/dev/null 2>&1 & echo $!; sleep 100'], {
    signal: controller.signal,
    onOutput: (t) => {
      pidFile.push(t);
      controller.abort(new Error('cancelled by the test'));
    },
  });
  await assert.rejects(running, /cancelled by the test/);
  const backgroundPid = Number(pidFile.join('').trim());
  assert.ok(backgroundPid > 0);
  assert.equal(processRuns(backgroundPid), false);
});

test('aborting also reaches a descendant that left the group with setsid', async () => {
  const controller = new AbortController();
  const said: string[] = [];
  let shellPid = 0;
  const running = run(['sh', '-c', 'setsid sleep 100 >/dev/null 2>&1 & echo $! $$; wait'], {
    signal: controller.signal,
    onOutput: (t) => {
      said.push(t);
      if (said.join('').includes('\n')) controller.abort();
    },
  });
  await assert.rejects(running, { name: 'AbortError' });
  const [strayPid, groupPid] = said.join('').trim().split(' ').map(Number);
  shellPid = groupPid ?? 0;
  assert.ok(strayPid! > 0 && shellPid > 0);
  assert.equal(groupAlive(shellPid), false);
  assert.equal(processRuns(strayPid!), false);
});

test('an abort before the start runs nothing', async () => {
  await assert.rejects(run(['sh', '-c', 'exit 0'], { signal: AbortSignal.abort() }), { name: 'AbortError' });
});

/** Alive and not a zombie waiting for a late reaper. */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/\) Z /.test(readStat(pid));
}

function readStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}

test('a stop that fails is raised once the process is gone, not lost', async () => {
  const controller = new AbortController();
  const running = run(['sh', '-c', 'echo go; sleep 100'], {
    signal: controller.signal,
    onOutput: () => controller.abort(),
    stop: async (handle) => {
      process.kill(-handle.pid, 'SIGKILL');
      throw new Error('the stop broke');
    },
  });
  await assert.rejects(running, /the stop broke/);
});

test('an environment too large to start a process says so, and what to do instead', async () => {
  await assert.rejects(run(['true'], { env: { PATH: process.env.PATH, BIG: 'x'.repeat(200 * 1024) } }), (err) => {
    assert.ok(err instanceof ExecError);
    assert.match(err.message, /cannot run true: true could not start: its arguments and environment are too large \(E2BIG.*pass large values in a file/);
    return true;
  });
});
