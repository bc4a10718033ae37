// The runner's HTTP calls (http-request.ts) against a real node:http server on loopback.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { sendRequest } from './http-request.ts';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

test('a JSON call and a streamed upload and download, on one kept-alive connection', async () => {
  const sockets = new Set<unknown>();
  const s = await serve((req, res) => {
    sockets.add(req.socket);
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length)).on('end', () => {
      if (req.url === '/download') return res.end('x'.repeat(100_000));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, size, type: req.headers['content-type'] }));
    });
  });
  try {
    const json = await sendRequest(`${s.url}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    assert.equal(json.status, 200);
    assert.deepEqual(await json.json(), { method: 'POST', size: 7, type: 'application/json' });
    const upload = await sendRequest(`${s.url}/upload`, { method: 'PUT', headers: {}, body: Readable.from([Buffer.alloc(300_000), Buffer.alloc(200_000)]) });
    assert.deepEqual(await upload.json(), { method: 'PUT', size: 500_000 });
    const download = await sendRequest(`${s.url}/download`, { method: 'GET', headers: {} });
    let got = 0;
    for await (const chunk of download.body) got += (chunk as Buffer).length;
    assert.equal(got, 100_000);
    assert.equal(sockets.size, 1, 'every call reused the first connection');
  } finally {
    await s.close();
  }
});

test('a refusal the server sends before reading the whole upload is the answer, not a network error', async () => {
  const s = await serve((req, res) => {
    req.once('data', () => {
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ error: { code: 'TOO_LARGE', message: 'artifact over the limit' } }));
      req.destroy();
    });
  });
  try {
    // An upload that never ends by itself: only the refusal can end the call.
    const endless = new Readable({ read() { this.push(Buffer.alloc(64 * 1024)); } });
    const answer = await sendRequest(`${s.url}/artifacts/big`, { method: 'PUT', headers: {}, body: endless });
    assert.equal(answer.status, 413);
    assert.match(await answer.text(), /artifact over the limit/);
  } finally {
    await s.close();
  }
});

test('an aborted call rejects and a server that is not there is a network error naming it', async () => {
  const s = await serve(() => {}); // never answers
  try {
    const controller = new AbortController();
    const call = sendRequest(`${s.url}/wait`, { method: 'POST', headers: {}, body: '{}', signal: controller.signal });
    controller.abort();
    await assert.rejects(call, { name: 'AbortError' });
  } finally {
    await s.close();
  }
  await assert.rejects(sendRequest(`${s.url}/gone`, { method: 'GET', headers: {} }), /ECONNREFUSED|ECONNRESET/, "a network error naming the cause");
  await assert.rejects(sendRequest('ftp://example.com/x', { method: 'GET', headers: {} }), /not an http\(s\) URL/);
});
