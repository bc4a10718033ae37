// The leak: an app that prints its secret environment value and fails its health
// check. The engine copies the container's last log lines into the host's error; the secret
// (and its base64) must show as *** in `hosts[].error` of GET /api/deployments/:id, in the
// deployment's `error` and in its log — and nowhere in the database. Real git, real podman.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commitAndPush, freePort, helloWorkingCopy, podman, removeDir, startHarness, waitFor, type Harness } from '../support/harness.ts';
import { finished, type DeploymentView } from '../support/api-views.ts';

const secretValue = `leaky-s3cret-${process.pid}-${Date.now()}`;

let h: Harness;
let repo: string;
let instance = '';

before(async () => {
  h = await startHarness();
  instance = (await readFile(join(h.dataDir, 'instance.id'), 'utf8')).trim();
  repo = await helloWorkingCopy(await freePort());
  const deployFile = join(repo, '.slipway/deploy.yml');
  const deployYml = (await readFile(deployFile, 'utf8'))
    .replace('  clear: { GREETING: hello }\n', '  clear: { GREETING: hello }\n  secret: [API_KEY]\n')
    .replace('deadline: 30s', 'deadline: 2s');
  await writeFile(deployFile, deployYml);
  // The app prints its secret (plainly and base64'd, as a debugging app might) and never
  // listens: the health check is refused, and the engine quotes the container's log.
  await writeFile(join(repo, 'www/start.sh'), 'echo "starting with API_KEY=$API_KEY"\necho "encoded $(printf %s "$API_KEY" | base64)"\nexec sleep 120\n');
  const containerfile = join(repo, 'Containerfile');
  await writeFile(containerfile, (await readFile(containerfile, 'utf8')).replace(/^CMD .*$/m, 'CMD ["sh", "/www/start.sh"]'));
  await h.api('/api/projects', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'hello' }) });
  await h.api('/api/projects/hello/environments/dev/secrets/API_KEY', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: secretValue }) });
});

after(async () => {
  await h?.stop();
  const all = (await podman('ps', '-a', '--filter', `label=slipway.instance=${instance}`, '--format', '{{.Names}}').catch(() => '')).split('\n').filter(Boolean);
  for (const name of all) await podman('rm', '-f', name).catch(() => {});
  await removeDir(repo);
  await removeDir(h?.dataDir ?? '');
});

test("a failed health check quoting the app's output shows its secret as *** in hosts[].error, the error and the log", { timeout: 180_000 }, async () => {
  const sha = await commitAndPush(repo, h, 'hello', 'leaky app');
  const d = await waitFor('the push deployment', async () => {
    const found = (await h.api<DeploymentView[]>('/api/deployments?project=hello&env=dev')).find((x) => x.release?.sha === sha);
    return found && finished(found.status) ? found : undefined;
  }, 150_000);
  const view = await h.api<DeploymentView>(`/api/deployments/${d.id}`);
  assert.equal(view.status, 'failure');
  const hostError = view.hosts[0]?.error ?? '';
  // The app's output did reach the error (so the check below is not vacuous), masked.
  assert.match(hostError, /starting with API_KEY=\*\*\*/);
  assert.match(hostError, /encoded \*\*\*/);
  assert.match(view.error ?? '', /API_KEY=\*\*\*/);
  const log = await fetch(`${h.slipway.url}/api/deployments/${d.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } }).then((r) => r.text());
  assert.match(log, /API_KEY=\*\*\*/);
  const encoded = Buffer.from(secretValue).toString('base64').replace(/=+$/, '').slice(0, -1);
  for (const [where, text] of [['hosts[].error', hostError], ['error', view.error ?? ''], ['log', log]] as const) {
    assert.ok(!text.includes(secretValue), `${where} shows the secret:\n${text}`);
    assert.ok(!text.includes(encoded), `${where} shows the secret's base64:\n${text}`);
  }
  const db = await readFile(join(h.dataDir, 'slipway.db'));
  const wal = await readFile(join(h.dataDir, 'slipway.db-wal')).catch(() => Buffer.alloc(0));
  assert.ok(!Buffer.concat([db, wal]).includes(secretValue), 'the database holds the secret in plain text');
});
