import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { isSlipwayError } from '../../core/errors.ts';
import { appPort, buildApp, cleanUp, testEngine, uniqueName } from '../test-support.ts';

const labels = { 'slipway.test': uniqueName('engine-') };
let image = '';

before(async () => {
  image = await buildApp('engine', labels['slipway.test'], { up: 'ok\n' });
});
after(() => cleanUp(labels, [image]));

/** GET with retries until the server answers (the app needs a moment to start). */
async function getWhenUp(url: string, deadlineMs = 10_000): Promise<string> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return await res.text();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

void test('run: env values reach the app through an env file that is deleted, never the command line', async () => {
  const lines: string[] = [];
  const tempDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('slipway.')).sort();
  const tempBefore = tempDirs();
  const engine = testEngine((line) => lines.push(line));
  const secret = `it's a "secret" $HOME value`;
  const name = uniqueName('slipway-test-run-');
  const started = await engine.run({
    name,
    image,
    labels: { ...labels, role: 'env' },
    env: { GREETING: secret },
    containerPort: appPort,
    command: ['sh', '-c', `printf %s "$GREETING" > /www/greeting; exec httpd -f -p ${appPort} -h /www`],
  });
  assert.match(started.id, /^[0-9a-f]{64}$/);
  assert.equal(await getWhenUp(`http://127.0.0.1:${started.hostPort}/greeting`), secret);

  const runLine = lines.find((l) => l.includes(' run --env-file ') && l.includes(' --detach '));
  assert.ok(runLine, lines.join('\n'));
  assert.match(runLine, /--env-file "\$d\/env"/);
  assert.ok(lines.every((l) => !l.includes('secret')), 'no value in the logged commands');
  assert.deepEqual(tempDirs(), tempBefore, 'the env file\'s temp dir is gone');
});

void test('inspect, list, stop, remove', async () => {
  const engine = testEngine();
  const name = uniqueName('slipway-test-life-');
  const own = { ...labels, role: 'life' };
  const { id, hostPort } = await engine.run({ name, image, labels: own, env: {}, containerPort: appPort });

  const info = await engine.inspect(name);
  assert.ok(info);
  assert.equal(info.id, id);
  assert.equal(info.name, name);
  assert.equal(info.state, 'running');
  assert.equal(info.labels.role, 'life');
  assert.deepEqual(info.ports[`${appPort}/tcp`], [{ hostIp: '127.0.0.1', hostPort }]);
  assert.deepEqual((await engine.list(own)).map((c) => c.name), [name]);
  assert.equal(await getWhenUp(`http://127.0.0.1:${hostPort}/up`), 'ok\n');

  const stopStarted = Date.now();
  await engine.stop(name, 10);
  assert.ok(Date.now() - stopStarted < 5000, 'the app stopped on SIGTERM');
  assert.equal((await engine.inspect(name))?.state, 'exited');
  await engine.remove(name);
  assert.equal(await engine.inspect(name), undefined);
  assert.deepEqual(await engine.list(own), []);
  // Both are idempotent.
  await engine.stop(name, 1);
  await engine.remove(name);
});

void test('imageExists and a failing command', async () => {
  const engine = testEngine();
  assert.equal(await engine.imageExists(image), true);
  assert.equal(await engine.imageExists('localhost/slipway-test/does-not-exist:nope'), false);
  await assert.rejects(
    engine.run({ name: uniqueName('slipway-test-bad-'), image: 'localhost/slipway-test/does-not-exist:nope', labels, env: {}, containerPort: appPort }),
    (err) => isSlipwayError(err, 'EXEC_FAILED') && /podman run .*failed on local \(exit \d+\)/.test(err.message),
  );
});

void test('pull sends the credentials from a temporary auth file, not the command line', async () => {
  // A stand-in registry that asks for Basic auth and then knows no manifests: enough to see
  // what podman sends (distribution-spec §API version check, §Pulling manifests).
  const seen: string[] = [];
  const registry = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
    if (!req.headers.authorization) return res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  const lines: string[] = [];
  try {
    const port = (registry.address() as AddressInfo).port;
    const engine = testEngine((line) => lines.push(line));
    await assert.rejects(
      engine.pull(`127.0.0.1:${port}/proj/app:v1`, { insecure: true, auth: { username: 'ci', password: 'hunter2-pw' } }),
      (err) => isSlipwayError(err, 'EXEC_FAILED'),
    );
  } finally {
    registry.close();
  }
  const basic = `Basic ${Buffer.from('ci:hunter2-pw').toString('base64')}`;
  assert.ok(seen.some((s) => s.endsWith(basic) && s.includes('/v2/proj/app/manifests/v1')), seen.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('$ sh -c ') && l.includes('pull --authfile "$d/auth.json"')), lines.join('\n'));
  assert.ok(lines.every((l) => !l.includes('hunter2')));
});

void test('a name already in use fails without touching the container that has it', async () => {
  const engine = testEngine();
  const name = uniqueName('slipway-test-dup-');
  await engine.run({ name, image, labels, env: {}, containerPort: appPort });
  await assert.rejects(engine.run({ name, image, labels, env: { A: 'b' }, containerPort: appPort }), (err) => isSlipwayError(err, 'EXEC_FAILED'));
  assert.equal((await engine.inspect(name))?.state, 'running');
  await engine.remove(name);
});
