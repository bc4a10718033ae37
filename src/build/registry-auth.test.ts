import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { test } from 'node:test';
import { cliEnvArgs } from './cli-env.ts';
import { registryHost, withAuthFile } from './registry-auth.ts';

test('registryHost follows the reference grammar', () => {
  assert.equal(registryHost('127.0.0.1:8080/hello/hello:abc'), '127.0.0.1:8080');
  assert.equal(registryHost('localhost/x'), 'localhost');
  assert.equal(registryHost('ghcr.io/o/r@sha256:00'), 'ghcr.io');
  assert.equal(registryHost('library/busybox'), 'docker.io');
  assert.equal(registryHost('busybox'), 'docker.io');
});

test('the auth file is private, in the containers-auth.json format, and deleted afterwards', async () => {
  let seen = '';
  const result = await withAuthFile('127.0.0.1:5000/a/b:1', { username: 'ci', password: 'p:ss' }, 'auth.json', async (path) => {
    seen = path;
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  });
  assert.deepEqual(result, { auths: { '127.0.0.1:5000': { auth: Buffer.from('ci:p:ss').toString('base64') } } });
  assert.equal(existsSync(seen), false);
});

test('values go by name through the environment, except names the CLI reads itself', () => {
  const { args, env } = cliEnvArgs('-e', { TOKEN: 's3cret', PATH: '/bin', HTTP_PROXY: 'http://p' });
  assert.deepEqual(args, ['-e', 'TOKEN', '-e', 'PATH=/bin', '-e', 'HTTP_PROXY=http://p']);
  assert.equal(env.TOKEN, 's3cret');
  assert.equal(env.PATH, process.env.PATH);
  assert.ok(env.CONTAINERS_CONF);
});
