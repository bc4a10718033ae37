// A small Node project as `npm install` leaves it: one `file:` dependency with a command
// (so `npm ci` needs no registry), a `node --test` test and its lockfile. Used by the
// end-to-end tests of moved Node workflows (node-project, setup-node).
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { workingCopy } from './harness.ts';

const nodeProject: Readonly<Record<string, string>> = {
  'package.json': JSON.stringify({
    name: 'hello-node', version: '1.0.0', private: true,
    scripts: { test: 'node --test' },
    dependencies: { greet: 'file:packages/greet' },
  }, null, 2),
  // As `npm install` writes it (lockfileVersion 3): the file: dependency is a link.
  'package-lock.json': JSON.stringify({
    name: 'hello-node', version: '1.0.0', lockfileVersion: 3, requires: true,
    packages: {
      '': { name: 'hello-node', version: '1.0.0', dependencies: { greet: 'file:packages/greet' } },
      'node_modules/greet': { resolved: 'packages/greet', link: true },
      'packages/greet': { version: '1.0.0', bin: { greet: 'bin.js' } },
    },
  }, null, 2),
  'packages/greet/package.json': JSON.stringify({ name: 'greet', version: '1.0.0', main: 'index.js', bin: { greet: 'bin.js' } }),
  'packages/greet/index.js': "exports.greet = (name) => 'hello ' + name;\n",
  'packages/greet/bin.js': "#!/usr/bin/env node\nconsole.log(require('./index.js').greet(process.argv[2]));\n",
  'test/greet.test.js': `const test = require('node:test');
const assert = require('node:assert');
const { greet } = require('greet');
test('greets through the file: dependency', () => assert.equal(greet('world'), 'hello world'));
`,
};

/** A working copy of the project with `workflow` as its .github/workflows/ci.yml. */
export async function nodeProjectCopy(prefix: string, workflow: string): Promise<string> {
  const dir = await workingCopy(prefix, { ...nodeProject, '.github/workflows/ci.yml': workflow });
  await chmod(join(dir, 'packages/greet/bin.js'), 0o755);
  return dir;
}
