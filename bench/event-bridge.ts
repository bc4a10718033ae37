// Events between two servers on one PostgreSQL (store/postgres/event-bridge.ts): how long
// an event emitted on one takes to be re-emitted on the other, p50/p99, one at a time and
// in a burst. `node bench/event-bridge.ts [count]` (a throwaway cluster, src/store/test-postgres.ts).
import { once } from 'node:events';
import { EventBus } from '../src/core/events.ts';
import { bridgeEvents } from '../src/store/postgres/event-bridge.ts';
import { startPostgres } from '../src/store/test-postgres.ts';

const count = Number(process.argv[2] ?? 500);
const pg = await startPostgres();
const url = await pg.database();
const a = new EventBus();
const b = new EventBus();
const bridges = await Promise.all([a, b].map((events) => bridgeEvents({ url, events, log: console.error, readLog: async () => undefined })));
const pct = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const one: number[] = [];
for (let i = 0; i < count; i++) {
  const heard = once(b, 'run-updated');
  const t = performance.now();
  a.emit('run-updated', `run_${i}`);
  await heard;
  one.push(performance.now() - t);
}
const sent = new Map<string, number>();
const burst: number[] = [];
const all = new Promise<void>((resolve) =>
  b.on('job-updated', (id) => {
    burst.push(performance.now() - sent.get(id)!);
    if (burst.length === count) resolve();
  }),
);
const t0 = performance.now();
for (let i = 0; i < count; i++) {
  sent.set(`job_${i}`, performance.now());
  a.emit('job-updated', `job_${i}`, 'run_x');
}
await all;
const seconds = (performance.now() - t0) / 1000;
console.log(`one at a time: ${count} events, p50 ${pct(one, 50).toFixed(2)} ms, p99 ${pct(one, 99).toFixed(2)} ms`);
console.log(`burst: ${count} events in ${seconds.toFixed(2)} s (${Math.round(count / seconds)}/s), p50 ${pct(burst, 50).toFixed(1)} ms, p99 ${pct(burst, 99).toFixed(1)} ms`);
await Promise.all(bridges.map((x) => x.close()));
await pg.stop();
