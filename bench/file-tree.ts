// A job's checkout copied in and its folder removed (src/runner/file-tree.ts) against the
// same through fs/promises (the thread pool), as the runner did: the bench:scale project's
// checkout (a `git init`, one commit: 49 entries with .git), --n times each, interleaved;
// prints wall time and this process's CPU per copy and removal, and for a tree of
// --big-files files the longest the event loop was held (rmSync for comparison).
// Usage: node bench/file-tree.ts [--n 300] [--big-files 20000]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { copyTree, removeTree } from '../src/runner/file-tree.ts';
import { runOrThrow } from '../src/exec/run.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '300' }, 'big-files': { type: 'string', default: '20000' } } });
const n = Number(values.n);
const dir = mkdtempSync(join(tmpdir(), 'bench-file-tree-'));

async function promisesCopy(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  await Promise.all(
    (await readdir(from, { withFileTypes: true })).map(async (e) => {
      const [src, dst] = [join(from, e.name), join(to, e.name)];
      if (e.isDirectory()) await promisesCopy(src, dst);
      else if (e.isSymbolicLink()) await symlink(await readlink(src), dst);
      else if (e.isFile()) await copyFile(src, dst);
    }),
  );
}
const ways = {
  'fs/promises + fs.rm': { copy: promisesCopy, remove: (p: string) => rm(p, { recursive: true, force: true }) },
  'file-tree.ts': { copy: copyTree, remove: removeTree },
};

try {
  const src = join(dir, 'checkout');
  mkdirSync(join(src, '.slipway/workflows'), { recursive: true });
  writeFileSync(join(src, '.slipway/workflows/scale.yml'), 'on: workflow_dispatch\njobs: {}\n');
  const git = (...args: string[]) => runOrThrow(['git', '-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd: src });
  await git('init', '-q', '--template=');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'bench');
  const results = new Map<string, string[]>();
  for (let round = 0; round < 2; round++) {
    for (const [name, way] of Object.entries(ways)) {
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < n; i++) {
        const to = join(dir, `job-${i}`);
        await way.copy(src, to);
        await way.remove(to);
      }
      const used = process.cpuUsage(cpu);
      const line = `${((performance.now() - t) / n).toFixed(2)} ms wall, CPU ${((used.user + used.system) / n / 1000).toFixed(2)} ms`;
      results.set(name, [...(results.get(name) ?? []), line]);
    }
  }
  console.log(`a checkout copied in and removed, ${n} times each (twice, interleaved):`);
  for (const [name, lines] of results) console.log(`  ${name.padEnd(20)} ${lines.join(' | ')}`);

  const big = join(dir, 'big');
  const files = Number(values['big-files']);
  for (let d = 0; d < files / 100; d++) {
    mkdirSync(join(big, `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(big, `d${d}`, `f${f}`), 'x');
  }
  console.log(`removing a tree of ${files} files, the longest the event loop was held:`);
  for (const [name, remove] of [['file-tree.ts removeTree', async () => removeTree(join(dir, 'big-copy'))], ['fs.rm', () => rm(join(dir, 'big-copy'), { recursive: true })], ['rmSync', async () => rmSync(join(dir, 'big-copy'), { recursive: true })]] as const) {
    await copyTree(big, join(dir, 'big-copy'));
    // The longest gap between two turns of a 1 ms timer: how long other work (a heartbeat, a request) waited.
    let last = performance.now();
    let held = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      held = Math.max(held, now - last);
      last = now;
    }, 1);
    const t = performance.now();
    await remove();
    await new Promise((r) => setTimeout(r, 5));
    clearInterval(tick);
    console.log(`  ${name.padEnd(24)} ${(performance.now() - t).toFixed(0)} ms in all, loop held at most ${held.toFixed(1)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
