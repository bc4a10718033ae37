// The per-job log cap (logs.maxJobBytes): a job that writes past it keeps running and
// succeeds; its stored log ends with one marker line at the cap, and nothing after it.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { commitAndPush, git, removeDir, startHarness, waitFor, type Harness } from '../support/harness.ts';
import type { RunView } from '../support/api-views.ts';

let h: Harness | undefined;
let work: string | undefined;
after(async () => {
  await h?.stop();
  if (h) await removeDir(h.dataDir);
  if (work) await removeDir(work);
});

test('past logs.maxJobBytes the log gets one marker and the rest is dropped; the job still succeeds', async () => {
  const cap = 20_000;
  h = await startHarness({ env: { SLIPWAY_RUNNER_HOST: 'true', SLIPWAY_LOGS_MAX_JOB_BYTES: String(cap) } });
  work = await mkdtemp(join(tmpdir(), 'slipway-log-cap-'));
  await mkdir(join(work, '.slipway/workflows'), { recursive: true });
  // ~200 kB of output, ten times the cap, then a line and a file that prove the job ran on.
  await writeFile(join(work, '.slipway/workflows/ci.yml'), `on: push
jobs:
  loud:
    runs-on: [self-hosted, host]
    outputs:
      tail: \${{ steps.last.outputs.tail }}
    steps:
      - run: for i in $(seq 1 4000); do echo "flood line $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; done
      - id: last
        run: echo "after the flood"; echo "tail=reached" >> "$GITHUB_OUTPUT"
`);
  await git(work, 'init', '-q', '-b', 'main');
  await commitAndPush(work, h, 'loud', 'a loud job', 'main');
  const run = await waitFor('the run to finish', async () => {
    const [r] = await h!.api<RunView[]>('/api/runs?project=loud');
    return r && (r.status === 'success' || r.status === 'failure') ? r : undefined;
  }, 120_000);
  assert.equal(run.status, 'success');
  assert.deepEqual(run.jobs[0]!.outputs, { tail: 'reached' });
  assert.deepEqual(run.jobs[0]!.steps.map((s) => s.status), ['success', 'success']);
  const log = await (await fetch(`${h.slipway.url}/api/runs/${run.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();
  const marker = '##[warning]log truncated: this job wrote more than 20 kB; further output is dropped (the job keeps running; the limit is the server\'s logs.maxJobBytes)\n';
  assert.ok(log.endsWith(marker), `the log ends with the marker:\n…${log.slice(-300)}`);
  assert.equal(log.split(marker).length, 2, 'one marker');
  assert.ok(Buffer.byteLength(log) <= cap + marker.length, `${Buffer.byteLength(log)} bytes stored, cap ${cap}`);
  assert.match(log, /flood line 1 x/);
  assert.doesNotMatch(log, /after the flood|flood line 4000 /);
});
