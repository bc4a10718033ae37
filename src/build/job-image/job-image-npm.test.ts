// Which npm goes into the job image, and what of the machine's npm configuration goes with it.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lstatIfExists } from '../../core/lstat-if-exists.ts';
import { findJobImageNpm, installJobImageNpm, registrySettings } from './job-image-npm.ts';

/** A package folder whose bin/npm-cli.js prints its version, as npm's `--version` does. */
async function fakePackage(dir: string, name: string, version: string): Promise<void> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version }));
  await writeFile(join(dir, 'bin/npm-cli.js'), '#!/usr/bin/env node\nconsole.log(require("../package.json").version);\n', { mode: 0o755 });
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

  await mkdir(join(dir, 'broken/lib/node_modules/npm'), { recursive: true });
  await writeFile(join(dir, 'broken/lib/node_modules/npm/package.json'), '{ "name": "npm", ');
  assert.equal((await findJobImageNpm(join(dir, 'broken/bin/node'), join(dir, 'usr/bin'), env))?.npm.version, '10.9.0', 'a broken npm beside Node is passed over');
  await symlink('../lib/node_modules/gone/npm-cli.js', join(dir, 'broken/npm'));
  assert.equal(await findJobImageNpm(join(dir, 'broken/bin/node'), join(dir, 'broken'), env), undefined, 'a dangling npm link is no npm');
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

test('npm goes into the image root with its links and the image\'s own npmrc, not its builtin one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-job-npm-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const npmDir = join(dir, 'lib/node_modules/npm');
  await fakePackage(npmDir, 'npm', '11.6.0');
  await mkdir(join(npmDir, 'node_modules/.bin'), { recursive: true });
  await symlink('../semver/bin/semver.js', join(npmDir, 'node_modules/.bin/semver'));
  await writeFile(join(npmDir, 'npmrc'), 'registry=https://builtin.example/\n//builtin.example/:_authToken=npm_SECRET\n');
  const env = { npm_config_userconfig: join(dir, 'none'), npm_config_globalconfig: join(dir, 'none') };
  const found = await findJobImageNpm(join(dir, 'bin/node'), join(dir, 'empty'), env);
  assert.ok(found);
  const root = join(dir, 'root');
  await mkdir(join(root, 'usr/local/bin'), { recursive: true });
  let output = '';
  assert.equal(await installJobImageNpm(root, found, process.execPath, dir, (text) => (output += text)), true, output);
  assert.equal(await readlink(join(root, 'usr/local/bin/npm')), '../lib/node_modules/npm/bin/npm-cli.js');
  assert.equal(await readlink(join(root, 'usr/local/bin/npx')), '../lib/node_modules/npm/bin/npx-cli.js');
  assert.equal(await lstatIfExists(join(root, 'usr/local/bin/corepack')), undefined, 'no corepack beside this npm');
  assert.equal(await readlink(join(root, 'usr/local/lib/node_modules/npm/node_modules/.bin/semver')), '../semver/bin/semver.js', 'links stay relative');
  assert.equal(await lstatIfExists(join(root, 'usr/local/lib/node_modules/npm/npmrc')), undefined);
  const npmrc = await readFile(join(root, 'usr/local/etc/npmrc'), 'utf8');
  assert.match(npmrc, /^registry=https:\/\/builtin\.example\/$/m);
  assert.doesNotMatch(npmrc, /SECRET/);
  assert.match(output, /npm 11\.6\.0 from /);
});

test('an npm that does not run with the image\'s Node is left out, and the output says why', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-job-npm-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const npmDir = join(dir, 'lib/node_modules/npm');
  await fakePackage(npmDir, 'npm', '6.14.0');
  await writeFile(join(npmDir, 'bin/npm-cli.js'), 'console.error("npm does not support Node.js v24"); process.exit(1);\n');
  const found = await findJobImageNpm(join(dir, 'bin/node'), join(dir, 'empty'), { npm_config_userconfig: join(dir, 'none') });
  assert.ok(found);
  let output = '';
  assert.equal(await installJobImageNpm(join(dir, 'root'), found, process.execPath, dir, (text) => (output += text)), false);
  assert.match(output, /npm 6\.14\.0 \(.*\) does not run with this Node \(exit 1: npm does not support Node\.js v24\): the image has node but no npm or npx/);
  assert.equal(await lstatIfExists(join(dir, 'root')), undefined, 'nothing copied');
});
