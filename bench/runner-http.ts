// A runner's protocol call, fetch against node:http (src/runner/protocol/http-request.ts):
// the same small JSON POST (a step start carrying a log chunk) to a local node:http server,
// one call at a time on a kept-alive connection; prints wall time and this process's CPU
// per call (the server's share is the same for both). Usage: node bench/runner-http.ts [--calls 3000]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { sendRequest } from '../src/runner/protocol/http-request.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '3000' } } });
const calls = Number(values.calls);
const server = createServer((req, res) => {
  req.resume().on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'step_0123456789abcdef' }));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/runner/jobs/job_1/steps`;
const body = JSON.stringify({ number: 1, name: 'Run true', log: { seq: 0, text: 'Checking out 0123456789abcdef\n'.repeat(8) } });
const headers = { authorization: 'Bearer slpr_0123456789', 'content-type': 'application/json' };

const ways: Record<string, () => Promise<unknown>> = {
  fetch: async () => (await fetch(url, { method: 'POST', headers, body })).json(),
  'node:http': async () => (await sendRequest(url, { method: 'POST', headers, body })).json(),
};
const measure = async (call: () => Promise<unknown>) => {
  for (let i = 0; i < 300; i++) await call(); // warm-up: JIT, the connection
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < calls; i++) await call();
  const used = process.cpuUsage(cpu);
  return { wall: ((performance.now() - t) * 1000) / calls, cpu: (used.user + used.system) / calls };
};
// Twice each, interleaved: the machine's speed drifts.
const results = new Map<string, { wall: number; cpu: number }[]>();
for (let round = 0; round < 2; round++) for (const [name, call] of Object.entries(ways)) results.set(name, [...(results.get(name) ?? []), await measure(call)]);
console.log(`${calls} calls each, client and server in this process (the server's CPU is in both figures alike)`);
for (const [name, r] of results) console.log(`${name.padEnd(9)}  wall ${r.map((x) => x.wall.toFixed(0)).join(' / ')} µs a call, CPU ${r.map((x) => x.cpu.toFixed(0)).join(' / ')} µs a call`);
server.close();
