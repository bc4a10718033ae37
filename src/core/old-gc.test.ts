import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';

const oldGc = JSON.stringify(new URL('./old-gc.ts', import.meta.url).href);

/**
 * In a child with --expose-gc: objects that outlive young collections (kept a little while,
 * then dropped) pile up in the old generation; the peak heap used over 3 s, with or without
 * the bound (8 MB of slack). Live data is ~5 MB throughout.
 */
function peakHeapMb(bound: boolean): number {
  const child = `
    import v8 from 'node:v8';
    import { boundOldGeneration } from ${oldGc};
    if (${bound}) boundOldGeneration(8 * 1024 * 1024, 20);
    let peak = 0;
    const keep = [];
    const grow = setInterval(() => {
      keep.push(Array.from({ length: 20000 }, (_, i) => ({ i, s: 'x' + i })));
      if (keep.length > 3) keep.shift();
      peak = Math.max(peak, v8.getHeapStatistics().used_heap_size);
    }, 5);
    setTimeout(() => { clearInterval(grow); console.log(peak / 1048576); process.exit(0); }, 3000);`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', child], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test('the old generation holds at most about the slack of garbage: the peak heap stays far below what V8 alone lets pile up', () => {
  const alone = peakHeapMb(false);
  const bounded = peakHeapMb(true);
  assert.ok(bounded < 40, `bounded peak ${bounded.toFixed(0)} MB`);
  assert.ok(bounded < alone / 2, `bounded ${bounded.toFixed(0)} MB against ${alone.toFixed(0)} MB without the bound`);
});

test('without --expose-gc it does nothing (and does not throw)', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { boundOldGeneration } from ${oldGc}; boundOldGeneration()(); console.log('ok');`], { encoding: 'utf8' });
  assert.equal(r.stdout.trim(), 'ok', r.stderr);
});
