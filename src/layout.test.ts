// DESIGN.md "Parts and where they live": folders in dependency order, each importing only
// from folders above it. This reads every import under src/ so the order stays true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const order = ['core', 'exec', 'config', 'storage', 'store', 'auth', 'git', 'workflow', 'scheduler', 'triggers', 'registry', 'build', 'runner', 'deploy', 'notify', 'server', 'cli'];
const src = dirname(new URL(import.meta.url).pathname);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function layerViolations(root: string): string[] {
  const out: string[] = [];
  for (const file of files(root)) {
    const from = relative(root, file).split('/')[0]!;
    if (!order.includes(from)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(importRe)) {
      const spec = m[1] ?? m[2]!;
      const target = relative(root, normalize(join(dirname(file), spec)));
      const to = target.split('/')[0]!;
      if (target.startsWith('..') || !order.includes(to)) continue;
      if (order.indexOf(to) > order.indexOf(from)) out.push(`${relative(root, file)} imports ${target} (${to}/ comes after ${from}/)`);
    }
  }
  return out;
}

test('every folder of src/ is in the dependency order', () => {
  const folders = readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  assert.deepEqual(folders.filter((f) => !order.includes(f)), []);
});

test('no module imports from a folder listed after its own', () => {
  assert.deepEqual(layerViolations(src), []);
});
