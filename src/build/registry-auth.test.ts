import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { test } from 'node:test';
import { cliEnvArgs } from './cli-env.ts';
import { authFileContent, withAuthFile } from './registry-auth.ts';

test('the auth file names the reference\'s registry, Docker Hub when it names none', () => {
  const auth = Buffer.from('u:p').toString('base64');
  assert.deepEqual(JSON.parse(authFileContent('ghcr.io/o/r:1', { username: 'u', password: 'p' })), { auths: { 'ghcr.io': { auth } } });
  assert.deepEqual(JSON.parse(authFileContent('busybox', { username: 'u', password: 'p' })), { auths: { 'docker.io': { auth } } });
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
