import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlipwayError } from '../core/errors.ts';
import { commandName, ExecError } from './exec-error.ts';

test('a command is named by its tool and subcommand words, not its flags', () => {
  assert.equal(commandName(['podman', 'network', 'create', 'x']), 'podman network create');
  assert.equal(commandName(['podman', '--log-level', 'debug', 'ps']), 'podman');
  assert.equal(commandName(['tar']), 'tar');
});

test('the message quotes stderr, else stdout, and the detail keeps only the tails', () => {
  const quiet = new ExecError({ command: ['sh'], exitCode: 1, signal: null, stdout: 'only stdout\n', stderr: '' });
  assert.equal(quiet.message, 'sh exited with 1: only stdout');
  const silent = new ExecError({ command: ['false'], exitCode: 1, signal: null, stdout: '', stderr: '' });
  assert.equal(silent.message, 'false exited with 1');
  const loud = new ExecError({ command: ['build'], exitCode: 2, signal: null, stdout: 'x'.repeat(100_000), stderr: '' });
  assert.ok(isSlipwayError(loud, 'EXEC_FAILED'));
  assert.ok((loud.detail as { stdout: string }).stdout.length < 100_000);
  assert.ok(loud.message.length < 1100);
});

test('masking happens before cutting, so no part of a secret survives at the cut', () => {
  const secret = 'S'.repeat(40);
  const err = new ExecError({ command: ['x'], exitCode: 1, signal: null, stdout: '', stderr: `${secret}${'y'.repeat(16_370)}` }, {
    mask: (text) => text.replaceAll(secret, '***'),
  });
  assert.doesNotMatch(JSON.stringify(err.detail), /S/);
});
