// What a hostile file costs everyone else (issue 10 "Measure"): /healthz latency, probed
// every 5 ms, while the 9-level alias bomb (test/fixtures/workflows/invalid/alias-bomb.yml)
// is pushed again and again to one project; p50/p99/max before and during, side by side.
// Usage: node bench/hostile.ts [--pushes 20]
import { copyFile, mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { commitAndPush, git, removeDir, repoRoot, startHarness, waitFor } from '../test/support/harness.ts';

const { values } = parseArgs({ options: { pushes: { type: 'string', default: '20' } } });
const pushes = Number(values.pushes);

const h = await startHarness();
const work = await mkdtemp(join(tmpdir(), 'slipway-hostile-'));

async function probe(until: () => boolean): Promise<number[]> {
  const times: number[] = [];
  while (!until()) {
    const t = performance.now();
    await fetch(`${h.slipway.url}/healthz`).then((r) => r.arrayBuffer());
    times.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 5));
  }
  return times.sort((a, b) => a - b);
}
const pct = (t: number[], p: number) => t[Math.min(t.length - 1, Math.floor((t.length * p) / 100))]!.toFixed(1);
const line = (label: string, t: number[]) => console.log(`${label.padEnd(28)} n=${String(t.length).padStart(5)}  p50 ${pct(t, 50).padStart(6)} ms  p99 ${pct(t, 99).padStart(6)} ms  max ${t.at(-1)!.toFixed(1).padStart(7)} ms`);

try {
  await mkdir(join(work, '.slipway/workflows'), { recursive: true });
  await copyFile(join(repoRoot, 'test/fixtures/workflows/invalid/alias-bomb.yml'), join(work, '.slipway/workflows/bomb.yml'));
  await git(work, 'init', '-q', '-b', 'main');
  const quietEnd = Date.now() + 3000;
  line('idle', await probe(() => Date.now() > quietEnd));
  let done = false;
  const pushing = (async () => {
    for (let i = 0; i < pushes; i++) {
      const sha = await commitAndPush(work, h, 'bomb', `bomb ${i}`, 'main');
      await waitFor('the failed run', async () => ((await h.api<{ sha: string; status: string }[]>('/api/runs?project=bomb&limit=1')).some((r) => r.sha === sha && r.status === 'failure') ? true : undefined));
    }
    done = true;
  })();
  const during = await probe(() => done);
  await pushing;
  line(`during ${pushes} alias-bomb pushes`, during);
  const [run] = await h.api<{ error: string }[]>('/api/runs?project=bomb&limit=1');
  console.log(`the run's error: ${run!.error.split('\n')[0]}`);
} finally {
  await h.stop();
  await removeDir(h.dataDir);
  await removeDir(work);
}
