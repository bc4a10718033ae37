import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkNodeVersion, nodeArch, parseVersionFile } from './setup-node-spec.ts';

void test('version files: .nvmrc, .node-version, .tool-versions and package.json as setup-node reads them', () => {
  assert.deepEqual(parseVersionFile('20\n'), { spec: '20' });
  assert.deepEqual(parseVersionFile('v20.11.1\n'), { spec: '20.11.1' });
  assert.deepEqual(parseVersionFile('lts/iron\n'), { spec: 'lts/iron' });
  assert.deepEqual(parseVersionFile('python 3.12.1\nnodejs 22.3.0\n'), { spec: '22.3.0' });
  assert.deepEqual(parseVersionFile('node 24\n'), { spec: '24' });
  assert.deepEqual(parseVersionFile(JSON.stringify({ engines: { node: '>=18' } })), { spec: '>=18' });
  assert.deepEqual(parseVersionFile(JSON.stringify({ engines: { node: '>=18' }, volta: { node: '20.1.0' } })), { spec: '20.1.0' }, 'volta.node wins');
  assert.deepEqual(parseVersionFile(JSON.stringify({ volta: { extends: '../package.json' } })), { extends: '../package.json' });
  assert.deepEqual(parseVersionFile(JSON.stringify({ name: 'x' })), {}, 'a package.json without a version names none');
  assert.deepEqual(parseVersionFile(''), {});
});

void test('ranges: satisfied or not, with the reason', () => {
  assert.deepEqual(checkNodeVersion('24', [24, 11, 1]), { ok: true, why: 'v24.11.1 satisfies "24"' });
  assert.deepEqual(checkNodeVersion('>=18', [20, 20, 2]), { ok: true, why: 'v20.20.2 satisfies ">=18"' });
  assert.deepEqual(checkNodeVersion('12', [24, 11, 1]), { ok: false, why: '"12" is not satisfied by v24.11.1', want: 12 });
  assert.deepEqual(checkNodeVersion('>=26 <28', [24, 11, 1]), { ok: false, why: '">=26 <28" is not satisfied by v24.11.1', want: 26 });
  assert.equal(checkNodeVersion('20.x', [24, 0, 0]).ok, false);
  assert.equal(checkNodeVersion(' 24.x ', [24, 0, 0]).ok, true);
});

void test('aliases: node/latest/current take what is there; lts/* wants an even line from 18; codenames their line', () => {
  for (const alias of ['node', 'latest', 'current', 'Latest']) assert.equal(checkNodeVersion(alias, [23, 1, 0]).ok, true, alias);
  const lts = checkNodeVersion('lts/*', [24, 11, 1]);
  assert.equal(lts.ok, true);
  assert.match(lts.why, /LTS line .*not checked/);
  assert.equal(checkNodeVersion('lts/-1', [22, 1, 0]).ok, true);
  assert.equal(checkNodeVersion('lts/*', [23, 1, 0]).ok, false, 'odd lines are never LTS');
  assert.equal(checkNodeVersion('lts/*', [16, 20, 0]).ok, false, 'below 18 is past its end of life');
  assert.deepEqual(checkNodeVersion('lts/krypton', [24, 11, 1]), { ok: true, why: '"lts/krypton" is Node 24, and v24.11.1 is of that line' });
  assert.deepEqual(checkNodeVersion('lts/Iron', [24, 11, 1]), { ok: false, why: '"lts/Iron" is Node 20', want: 20 });
  assert.throws(() => checkNodeVersion('lts/nosuch', [24, 0, 0]), /unknown LTS codename "nosuch" \(known: argon, .*krypton\)/);
});

void test('prereleases need a download; nonsense is an error naming it', () => {
  assert.equal(checkNodeVersion('24-nightly', [24, 0, 0]).ok, false);
  assert.match(checkNodeVersion('v25.0.0-rc.1', [24, 0, 0]).why, /prerelease/);
  assert.throws(() => checkNodeVersion('twenty', [24, 0, 0]), /node-version: "twenty" in the range "twenty" is not a version/);
});

void test('architecture names map to process.arch', () => {
  assert.equal(nodeArch('x64'), 'x64');
  assert.equal(nodeArch('X86'), 'ia32');
  assert.equal(nodeArch('arm64'), 'arm64');
  assert.equal(nodeArch('aarch64'), 'arm64');
});
