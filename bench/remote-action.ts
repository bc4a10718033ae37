// Remote actions (issue 12 "Tests and measures"): time to resolve and start a remote action,
// with a cold cache (the commit's tree not unpacked yet) and a warm one. "Start" is what
// the runner does before the action's first step: resolve the ref through the sources, copy
// the tree into the job's actions dir, read action.yml. Two sources: this instance (a bare
// repository on disk, as a project or mirror) and a URL source (a real git Smart HTTP
// server on loopback: ls-remote + shallow fetch + archive). Medians of N each.
// Usage: node bench/remote-action.ts [--iterations N]  (bench/workflow.ts prints these too)
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ActionSources, type ActionSourceConfig } from '../src/git/actions/action-sources.ts';
import { parseActionRef, type ActionRef } from '../src/git/actions/action-ref.ts';
import { loadAction } from '../src/runner/actions/action-file.ts';
import { gitOk, startHosting } from '../src/git/test-support.ts';

const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function remoteActionRows(iterations: number): Promise<[string, string, string][]> {
  const root = await mkdtemp(join(tmpdir(), 'slipway-bench-actions-'));
  const hosting = await startHosting();
  try {
    const work = join(root, 'work');
    mkdirSync(work);
    await gitOk(work, ['init', '-q']);
    writeFileSync(join(work, 'action.yml'), 'name: bench\ninputs: { who: { default: x } }\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n');
    for (let i = 0; i < 50; i++) writeFileSync(join(work, `file-${i}.txt`), 'x'.repeat(2000));
    await gitOk(work, ['add', '-A']);
    await gitOk(work, ['commit', '-q', '-m', 'bench']);
    await gitOk(work, ['tag', 'v1']);
    await gitOk(work, ['push', '-q', `${hosting.base}/bench.git`, 'HEAD:refs/heads/main', 'refs/tags/v1']);
    const projectRepo = hosting.hosting.repoPath('bench');
    const ref = parseActionRef('local/bench@v1') as ActionRef;
    const make = (dir: string, sources: ActionSourceConfig[]) => new ActionSources({ sources, dir, projectsOwner: 'local', projectRepo: (p) => (p === 'bench' ? projectRepo : undefined), timeoutMs: 10_000 });
    const start = async (s: ActionSources, jobDir: string): Promise<number> => {
      const t = performance.now();
      const r = await s.resolve(ref);
      const copy = join(jobDir, 'actions', 'local', 'bench', r.sha);
      cpSync(r.tree, copy, { recursive: true });
      loadAction(copy);
      const ms = performance.now() - t;
      rmSync(jobDir, { recursive: true, force: true });
      return ms;
    };
    const measure = async (sources: ActionSourceConfig[]): Promise<{ cold: number; warm: number }> => {
      const cold: number[] = [];
      const warm: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const cache = join(root, `cache-${i}`);
        cold.push(await start(make(cache, sources), join(root, 'job')));
        warm.push(await start(make(cache, sources), join(root, 'job')));
        await rm(cache, { recursive: true, force: true });
      }
      return { cold: mid(cold), warm: mid(warm) };
    };
    const instance = await measure([{ name: 'instance' }]);
    const url = await measure([{ name: 'bench', url: `${hosting.base}/{repo}.git` }]);
    return [
      ['remote action start, source instance, cold cache', `${instance.cold.toFixed(1)} ms`, ''],
      ['remote action start, source instance, warm cache', `${instance.warm.toFixed(1)} ms`, ''],
      ['remote action start, URL source (git over HTTP), cold cache', `${url.cold.toFixed(1)} ms`, ''],
      ['remote action start, URL source (git over HTTP), warm cache', `${url.warm.toFixed(1)} ms`, ''],
    ];
  } finally {
    await hosting.close();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { iterations: { type: 'string', default: '20' } } });
  const rows = await remoteActionRows(Number(values.iterations));
  const w0 = Math.max(...rows.map((r) => r[0].length));
  for (const [a, b] of rows) console.log(`${a.padEnd(w0)}  ${b}`);
  console.log(`(medians of ${values.iterations}; start = resolve the ref + copy the tree into the job + read action.yml)`);
}
