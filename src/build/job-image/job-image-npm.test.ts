// Which npm goes into the job image, and what of the machine's npm configuration goes with it.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findJobImageNpm, registrySettings } from './job-image-npm.ts';

async function fakePackage(dir: string, name: string, version: string): Promise<void> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version }));
  await writeFile(join(dir, 'bin/npm-cli.js'), '#!/usr/bin/env node\n', { mode: 0o755 });
}

test('npm beside the image\'s Node wins over the npm on PATH; corepack comes from beside npm', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-job-npm-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await fakePackage(join(dir, 'node24/lib/node_modules/npm'), 'npm', '11.6.0');
  await fakePackage(join(dir, 'node24/lib/node_modules/corepack'), 'corepack', '0.34.0');
  await fakePackage(join(dir, 'usr/lib/node_modules/npm'), 'npm', '10.9.0');
  await mkdir(join(dir, 'usr/bin'), { recursive: true });
  await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(dir, 'usr/bin/npm'));
  const env = { npm_config_userconfig: join(dir, 'none'), npm_config_globalconfig: join(dir, 'none') };

  const beside = await findJobImageNpm(join(dir, 'node24/bin/node'), join(dir, 'usr/bin'), env);
  assert.equal(beside?.npm.version, '11.6.0');
  assert.equal(beside?.corepack?.version, '0.34.0');

  const onPath = await findJobImageNpm(join(dir, 'elsewhere/bin/node'), join(dir, 'usr/bin'), env);
  assert.equal(onPath?.npm.version, '10.9.0', 'the npm the PATH\'s `npm` link runs');
  assert.equal(onPath?.corepack, undefined);

  assert.equal(await findJobImageNpm(join(dir, 'elsewhere/bin/node'), join(dir, 'empty'), env), undefined);
});

test('the image\'s npmrc carries the machine\'s registries, never a credential', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-job-npm-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await fakePackage(join(dir, 'lib/node_modules/npm'), 'npm', '11.6.0');
  await mkdir(join(dir, 'etc'));
  await writeFile(join(dir, 'etc/npmrc'), 'registry=https://global.example/npm/\n');
  await writeFile(join(dir, 'user.npmrc'), [
    '; a comment=https://x.example/',
    'registry = "https://mirror.example/npm/"',
    '//mirror.example/npm/:_authToken=npm_SECRET1',
    '_auth=U0VDUkVUMg==',
    '@corp:registry=https://npm.corp.example/',
    '@leak:registry=https://user:SECRET3@npm.corp.example/',
    '@expand:registry=${REGISTRY_URL}',
    'email=dev@corp.example',
  ].join('\n'));
  const found = await findJobImageNpm(join(dir, 'bin/node'), '', { npm_config_userconfig: join(dir, 'user.npmrc') });
  assert.ok(found);
  const settings = found.npmrc.split('\n').filter((l) => l && !l.startsWith(';'));
  assert.deepEqual(settings, ['update-notifier=false', '@corp:registry=https://npm.corp.example/', 'registry=https://mirror.example/npm/']);
  assert.doesNotMatch(found.npmrc, /SECRET|U0VD|email/);
});

test('registry settings: the environment wins over the files, files in precedence order', () => {
  assert.deepEqual(registrySettings(['registry=https://a.example/', 'registry=https://b.example/'], {}), ['registry=https://b.example/']);
  assert.deepEqual(registrySettings(['registry=https://a.example/'], { NPM_CONFIG_REGISTRY: 'https://env.example/', npm_config__authtoken: 'x' }), ['registry=https://env.example/']);
  assert.deepEqual(registrySettings(['registry=file:///etc/passwd'], {}), [], 'only http(s) registries');
  assert.deepEqual(registrySettings(['[section]\nregistry=https://a.example/'], {}), [], 'an ini section is not npm\'s');
});
