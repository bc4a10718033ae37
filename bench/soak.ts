// Memory under load (issue 10 "Memory flat under load"): pushes of a 3-job workflow (no
// image build), one after another, each run waited for; every --every runs prints the
// server's RSS and V8 heap after a full collection. Target: after a 50-run warm-up, RSS and
// heap stay within ±10%.
// Usage: node --expose-gc bench/soak.ts [--runs 1000] [--every 100]
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { commitAndPush, git, removeDir, startHarness, waitFor } from '../test/support/harness.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000' }, every: { type: 'string', default: '100' }, warmup: { type: 'string', default: '50' } } });
const runs = Number(values.runs);
const every = Number(values.every);
const warmup = Number(values.warmup);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc so the heap is measured after a full collection');

const workflow = `on: push
jobs:
  a:
    runs-on: self-hosted
    steps: [{ run: echo a }]
  b:
    needs: a
    runs-on: self-hosted
    outputs: { x: '\${{ steps.s.outputs.x }}' }
    steps: [{ id: s, run: 'echo x=1 >> "$GITHUB_OUTPUT"' }]
  c:
    needs: [a, b]
    runs-on: self-hosted
    steps: [{ run: 'echo "::notice::done \${{ needs.b.outputs.x }}"' }]
`;

const mb = (n: number) => (n / 1048576).toFixed(1);
function sample(label: string): { rss: number; heap: number } {
  gc!();
  const m = process.memoryUsage();
  console.log(`${label.padStart(6)}  rss ${mb(m.rss).padStart(6)} MB  heap ${mb(m.heapUsed).padStart(6)} MB (of ${mb(m.heapTotal).padStart(6)} MB)  external ${mb(m.external).padStart(6)} MB`);
  return { rss: m.rss, heap: m.heapUsed };
}

const h = await startHarness();
const work = await mkdtemp(join(tmpdir(), 'slipway-soak-'));
await mkdir(join(work, '.slipway/workflows'), { recursive: true });
await writeFile(join(work, '.slipway/workflows/ci.yml'), workflow);
await git(work, 'init', '-q', '-b', 'main');
let base: { rss: number; heap: number } | undefined;
let worst = { rss: 0, heap: 0 };
const started = Date.now();
try {
  sample('start');
  for (let i = 1; i <= runs; i++) {
    const sha = await commitAndPush(work, h, 'soak', `run ${i}`, 'main');
    await waitFor(`run ${i}`, async () => {
      const list = await h.api<{ sha: string; status: string }[]>('/api/runs?project=soak&limit=1');
      const r = list.find((x) => x.sha === sha);
      return r && r.status !== 'queued' && r.status !== 'running' ? r.status : undefined;
    });
    if (i === warmup) base = sample(`${i}`);
    else if (i % every === 0) {
      const s = sample(`${i}`);
      if (base) worst = { rss: Math.max(worst.rss, Math.abs(s.rss / base.rss - 1)), heap: Math.max(worst.heap, Math.abs(s.heap / base.heap - 1)) };
    }
  }
  const secs = (Date.now() - started) / 1000;
  console.log(`${runs} runs in ${secs.toFixed(0)} s (${((secs * 1000) / runs).toFixed(0)} ms a run); largest change after the ${warmup}-run warm-up: rss ${(worst.rss * 100).toFixed(1)}%, heap ${(worst.heap * 100).toFixed(1)}% (target ±10%)`);
} finally {
  await h.stop();
  await removeDir(h.dataDir);
  await removeDir(work);
}
