// What archiving an ended log costs and what reading it from the archive costs, against the
// same log still in the database (store/repos/log-archive.ts). Two streams of the same size
// (64 KiB chunks, as a runner sends): one is archived (timed), then whole paged reads (8
// chunks a page, as the API and SSE read) and random page reads alternate between the
// archived one and the one in the database, so machine load hits both alike.
// Usage: node bench/log-archive.ts [--mb 100] [--rounds 3] [--s3]   (--s3: s3rver instead of files)
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, migrate } from '../src/store/database.ts';
import { createStore, type Store } from '../src/store/store.ts';
import { createFsDriver } from '../src/storage/fs/fs-driver.ts';
import { createS3Driver } from '../src/storage/s3/s3-driver.ts';
import { logPages } from '../src/server/log-pages.ts';
import { removeDir } from '../test/support/harness.ts';
import { startTestS3 } from '../test/support/s3rver.ts';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '100' }, rounds: { type: 'string', default: '3' }, s3: { type: 'boolean', default: false } } });
const chunkBytes = 64 * 1024;
const chunks = Math.ceil((Number(values.mb) * 1e6) / chunkBytes);
const dir = await mkdtemp(join(tmpdir(), 'slipway-bench-log-archive-'));
const s3 = values.s3 ? await startTestS3('bench-logs') : undefined;
const objects = s3 ? createS3Driver(s3.options) : createFsDriver({ root: join(dir, 'storage') });
const db = openDatabase({ sqlitePath: join(dir, 'slipway.db') });
await migrate(db);
const store = createStore(db, { objects });
const line = `${'x'.repeat(99)}\n`;
const text = line.repeat(Math.floor(chunkBytes / line.length));

for (const stream of ['job:archived', 'job:rows']) for (let seq = 0; seq < chunks; seq++) await store.logs.append(stream, seq, text);

const ms = (t0: number) => performance.now() - t0;
let t0 = performance.now();
await store.logs.archive('job:archived');
const archiveMs = ms(t0);

async function wholeRead(s: Store, stream: string): Promise<number> {
  const start = performance.now();
  let bytes = 0;
  for await (const page of logPages(s.logs.read, stream, -1)) for (const c of page) bytes += c.text.length;
  if (bytes !== chunks * text.length) throw new Error(`${stream}: read ${bytes} bytes`);
  return ms(start);
}
async function randomPages(s: Store, stream: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const after = Math.floor(Math.random() * chunks) - 1;
    t0 = performance.now();
    const page = await s.logs.read(stream, after, 8);
    times.push(ms(t0));
    if (page[0]?.seq !== after + 1) throw new Error(`${stream}: page after ${after} starts at ${page[0]?.seq}`);
  }
  return times.sort((a, b) => a - b);
}

const whole: Record<string, number[]> = { archived: [], rows: [] };
const pages: Record<string, number[]> = { archived: [], rows: [] };
for (let r = 0; r < Number(values.rounds); r++) {
  for (const kind of ['archived', 'rows'] as const) {
    whole[kind]!.push(await wholeRead(store, `job:${kind}`));
    pages[kind]!.push(...(await randomPages(store, `job:${kind}`, 50)));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;
const mbps = (t: number) => ((chunks * text.length) / 1e6 / (t / 1000)).toFixed(0);
console.log(`log of ${((chunks * text.length) / 1e6).toFixed(0)} MB in ${chunks} chunks, objects on ${s3 ? 's3rver' : 'files'}`);
console.log(`archive: ${archiveMs.toFixed(0)} ms (${mbps(archiveMs)} MB/s)`);
for (const kind of ['rows', 'archived'] as const) {
  console.log(`${kind.padEnd(8)} whole paged read: median ${median(whole[kind]!).toFixed(0)} ms (${mbps(median(whole[kind]!))} MB/s); random page: p50 ${median(pages[kind]!).toFixed(2)} ms, p99 ${p99(pages[kind]!).toFixed(2)} ms`);
}
await db.destroy();
await s3?.close();
await removeDir(dir);
