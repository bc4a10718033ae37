// What every HostShell (local, SSH) must do, run by each implementation's test:
// argv without a shell, exit codes resolved rather than thrown, stdout and stderr apart and
// streamed, stdin from a string or a stream, and an abort that kills the command.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { HostShell } from './host-shell.ts';

interface HostShellFixture {
  shell: HostShell;
  close(): Promise<void>;
}

export function runHostShellContract(options: { name: string; create: () => Promise<HostShellFixture> }): void {
  let fixture: HostShellFixture;
  let shell: HostShell;
  before(async () => {
    fixture = await options.create();
    shell = fixture.shell;
  });
  after(() => fixture?.close());

  void test(`${options.name}: describes itself`, () => {
    assert.equal(typeof shell.description, 'string');
    assert.ok(shell.description.length > 0);
  });

  void test(`${options.name}: a failing command resolves with its exit code, stdout and stderr apart`, async () => {
    const result = await shell.exec(['sh', '-c', 'printf out; printf err >&2; exit 3']);
    assert.deepEqual(result, { exitCode: 3, stdout: 'out', stderr: 'err' });
  });

  void test(`${options.name}: arguments reach the command as they are, never through a shell`, async () => {
    const result = await shell.exec(['printf', '%s|', 'two words', '$HOME', "it's", '`id`', 'a;b', '']);
    assert.deepEqual(result, { exitCode: 0, stdout: "two words|$HOME|it's|`id`|a;b||", stderr: '' });
  });

  void test(`${options.name}: standard input from a string or a stream`, async () => {
    assert.equal((await shell.exec(['cat'], { stdin: 'a secret\nline two\n' })).stdout, 'a secret\nline two\n');
    assert.equal((await shell.exec(['cat'], { stdin: Readable.from(['chunk 1, ', 'chunk 2']) })).stdout, 'chunk 1, chunk 2');
    assert.equal((await shell.exec(['wc', '-c'])).stdout.trim(), '0', 'no stdin given: the command reads end of file');
  });

  void test(`${options.name}: onOutput sees stdout and stderr as they arrive`, async () => {
    const seen: string[] = [];
    const result = await shell.exec(['sh', '-c', 'echo one; echo two >&2; echo three'], { onOutput: (chunk) => void seen.push(chunk) });
    assert.equal(result.exitCode, 0);
    assert.deepEqual(seen.join('').split('\n').filter(Boolean).sort(), ['one', 'three', 'two']);
  });

  void test(`${options.name}: aborting kills the command and rejects`, async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = shell.exec(['sh', '-c', 'echo started; exec sleep 30'], {
      signal: controller.signal,
      onOutput: (chunk) => chunk.includes('started') && controller.abort(new Error('stop')),
    });
    await assert.rejects(running);
    assert.ok(Date.now() - started < 10_000, 'the command did not run to its end');
  });

  void test(`${options.name}: an already aborted signal and an empty argv reject`, async () => {
    await assert.rejects(shell.exec(['true'], { signal: AbortSignal.abort() }));
    await assert.rejects(shell.exec([]), TypeError);
  });
}
