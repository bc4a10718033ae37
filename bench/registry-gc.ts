// Registry garbage collection, measured on the fs driver over HTTP (src/registry/gc.ts):
// how long a run takes over N images (half of them untagged, so garbage), dry and real,
// what it frees, and what GC running in a loop costs concurrent pushes (the same pushes
// with and without it, medians of per-push latency).
// Usage: node bench/registry-gc.ts [--images 400] [--clients 10]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startTestRegistry } from '../test/registry/test-registry.ts';
import { ociClient } from '../test/registry/oci-client.ts';

const { values } = parseArgs({ options: { images: { type: 'string', default: '400' }, clients: { type: 'string', default: '10' } } });
const images = Number(values.images);
const clients = Number(values.clients);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function pushAll(push: (i: number) => Promise<void>, count: number): Promise<{ wallMs: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await push(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { wallMs: performance.now() - start, latencies };
}

async function main(): Promise<void> {
  const t = await startTestRegistry();
  try {
    const oci = ociClient(t.baseUrl);
    const shared = Array.from({ length: 10 }, () => randomBytes(64 * 1024));
    const push = async (i: number, tag: string): Promise<void> => {
      await oci.pushImage(`bench/app${i % 10}`, tag, [shared[i % 10]!, randomBytes(32 * 1024)]);
    };

    const fill = await pushAll((i) => push(i, `t${i}`), images);
    for (let i = 0; i < images; i += 2) await oci.call(`/v2/bench/app${i % 10}/manifests/t${i}`, { method: 'DELETE' });
    const stored = (await t.storage.list('blobs/')).length;
    console.log(`filled: ${images} images (${stored} blobs) in ${fill.wallMs.toFixed(0)} ms; half untagged`);

    const dry = await t.registry.collectGarbage({ graceMs: 0, dryRun: true });
    console.log(`dry run: ${dry.durationMs} ms, would free ${dry.manifests} manifests, ${dry.blobs} blobs, ${(dry.bytes / 1e6).toFixed(1)} MB`);
    const real = await t.registry.collectGarbage({ graceMs: 0 });
    console.log(`gc:      ${real.durationMs} ms, freed ${real.manifests} manifests, ${real.links} links, ${real.blobs} blobs, ${(real.bytes / 1e6).toFixed(1)} MB`);
    const again = await t.registry.collectGarbage({ graceMs: 0 });
    console.log(`again:   ${again.durationMs} ms, freed ${again.blobs} blobs (nothing left to free)`);

    const quiet = await pushAll((i) => push(i, `q${i}`), 200);
    let running = true;
    let runs = 0;
    const gcMs: number[] = [];
    const loop = (async () => {
      while (running) {
        gcMs.push((await t.registry.collectGarbage({ graceMs: 60_000 })).durationMs);
        runs++;
      }
    })();
    const busy = await pushAll((i) => push(i, `b${i}`), 200);
    running = false;
    await loop;
    console.log(`200 pushes, ${clients} at once: ${quiet.wallMs.toFixed(0)} ms alone (median ${median(quiet.latencies).toFixed(1)} ms/push), ${busy.wallMs.toFixed(0)} ms with GC looping (median ${median(busy.latencies).toFixed(1)} ms/push, ${runs} GC runs of median ${median(gcMs)} ms)`);
  } finally {
    await t.close();
  }
}

await main();
