import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planShell, shellArgv, tokenize } from './shell-command.ts';

test('GitHub shell templates', () => {
  const argv = (shell: string | undefined, fallback: 'bash' | 'sh') => shellArgv(planShell(shell, fallback), '/t/s.sh');
  assert.deepEqual(argv(undefined, 'bash'), ['bash', '-e', '/t/s.sh']);
  assert.deepEqual(argv('', 'sh'), ['sh', '-e', '/t/s.sh']);
  assert.deepEqual(argv('bash', 'sh'), ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '/t/s.sh']);
  assert.deepEqual(argv('sh', 'bash'), ['sh', '-e', '/t/s.sh']);
  assert.deepEqual(argv('perl -w {0}', 'bash'), ['perl', '-w', '/t/s.sh']);
  assert.equal(planShell('python', 'bash').extension, '.py');
  assert.throws(() => planShell('fish', 'bash'), { code: 'WORKFLOW_INVALID' });
});

test('tokenize honours quotes and escapes', () => {
  assert.deepEqual(tokenize(`bash -c '. "$0"' {0}`), ['bash', '-c', '. "$0"', '{0}']);
  assert.deepEqual(tokenize(`a "b c" d\\ e "" 'x'y`), ['a', 'b c', 'd e', '', 'xy']);
  assert.deepEqual(tokenize('  --cpus 2\t--memory=1g '), ['--cpus', '2', '--memory=1g']);
  assert.throws(() => tokenize(`a 'b`), { code: 'WORKFLOW_INVALID' });
});
