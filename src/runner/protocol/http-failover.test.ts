// The HTTP runner client given several servers (replicas of one installation): a call that
// cannot reach one goes to the next, round the list and back, over two real loopback servers.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { test } from 'node:test';
import { connectHttpRunnerApi } from './http-client.ts';

/** A stand-in server that answers the calls the test makes and records who got each. */
async function fakeServer(name: string, calls: string[], port = 0): Promise<{ server: Server; url: string; port: number }> {
  const server = createServer((req, res) => {
    calls.push(`${name} ${req.method} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    if (req.url === '/api/runner/registry') return res.end(JSON.stringify({ host: '127.0.0.1:1', insecure: true }));
    if (req.url === '/api/runner/claim') return res.end(JSON.stringify({ job: null, generation: 0, state: 'active' }));
    if (req.url?.endsWith('/heartbeat')) return res.end(JSON.stringify({ lease: true, cancel: false }));
    res.statusCode = 404;
    res.end('{}');
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${bound}`, port: bound };
}

async function kill(server: Server): Promise<void> {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
}

test('a runner moves to the next server when one cannot be reached, and back when that one goes', async () => {
  const calls: string[] = [];
  const a = await fakeServer('a', calls);
  const b = await fakeServer('b', calls);
  const api = await connectHttpRunnerApi({ server: [a.url, `${b.url}/`], credential: 'slpr_x', backoffMs: 10 });
  await api.claim(['x']);
  assert.deepEqual(calls.splice(0), ['a GET /api/runner/registry', 'a POST /api/runner/claim'], 'the first server while it answers');

  await kill(a.server);
  // A heartbeat is retried: the same call reaches the other server.
  assert.equal(await api.heartbeat('job_1'), true);
  await api.claim(['x']);
  assert.deepEqual(calls.splice(0), ['b POST /api/runner/jobs/job_1/heartbeat', 'b POST /api/runner/claim']);

  // The first comes back on its port and the second dies: a claim (never retried) fails once, the next goes round to the first.
  const again = await fakeServer('a', calls, a.port);
  await kill(b.server);
  await assert.rejects(api.claim(['x']), /ECONNREFUSED|ECONNRESET|socket hang up/);
  await api.claim(['x']);
  assert.deepEqual(calls.splice(0), ['a POST /api/runner/claim']);
  await kill(again.server);
});
