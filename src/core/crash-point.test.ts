// A crash point kills the process outright, so each case runs in a child process that
// reaches the point three times and says how far it got.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const script = `
import { crashPoint } from ${JSON.stringify(new URL('./crash-point.ts', import.meta.url).href)};
for (let i = 1; i <= 3; i++) { crashPoint('log-chunk-stored'); process.stdout.write(i + ' '); }
`;

function reach(crashAt: string | undefined): { signal: NodeJS.Signals | null; out: string } {
  const env = { ...process.env, SLIPWAY_CRASH_AT: crashAt };
  if (crashAt === undefined) delete env.SLIPWAY_CRASH_AT;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  return { signal: r.signal, out: r.stdout };
}

void test('SLIPWAY_CRASH_AT=<name> kills at the first time the point is reached', () => {
  assert.deepEqual(reach('log-chunk-stored'), { signal: 'SIGKILL', out: '' });
});

void test('<name>#<n> kills the n-th time; other names, unset, or a count never reached pass', () => {
  assert.deepEqual(reach('log-chunk-stored#2'), { signal: 'SIGKILL', out: '1 ' });
  assert.deepEqual(reach('log-chunk-stored#4'), { signal: null, out: '1 2 3 ' });
  assert.deepEqual(reach('log-chunk'), { signal: null, out: '1 2 3 ' });
  assert.deepEqual(reach('push-applied'), { signal: null, out: '1 2 3 ' });
  assert.deepEqual(reach(undefined), { signal: null, out: '1 2 3 ' });
});
