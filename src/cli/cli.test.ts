// The real `slipway` CLI as a child process, against a real server started in-process.
// The child runs asynchronously: a synchronous spawn would block the server it talks to.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlipway, type Slipway } from '../server/slipway.ts';
import { mainTs, runCli, runProcess, type ProcessResult } from '../../test/support/cli.ts';
import { freePort } from '../../test/support/harness.ts';

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*m/;

let slipway: Slipway;
let dataDir: string;
/** An empty data dir for the child, so it never reads the developer's ~/.slipway. */
let clientDir: string;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-cli-server-'));
  clientDir = await mkdtemp(join(tmpdir(), 'slipway-cli-client-'));
  slipway = await startSlipway({ dataDir, port: 0, env: {}, log: () => {} });
});

after(async () => {
  await slipway.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(clientDir, { recursive: true, force: true });
});

/** Only what the CLI reads: nothing leaks in from the test's own environment (NO_COLOR, SLIPWAY_*). */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: clientDir, SLIPWAY_DATA: clientDir, SLIPWAY_URL: slipway.url, SLIPWAY_TOKEN: slipway.adminToken, ...extra };
}

const slipwayCli = (args: string[], env: NodeJS.ProcessEnv = childEnv()) => runCli(args, { env });

/** Runs the CLI with a pseudo-terminal as stdout (util-linux `script`), to see what a user's terminal gets. */
function slipwayOnTty(args: string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return runProcess('script', ['-q', '-e', '-c', [process.execPath, mainTs, ...args].map(quote).join(' '), '/dev/null'], { env });
}

// Each test starts its own children; they are independent, so run them side by side.
void describe('slipway CLI', { concurrency: true }, () => {
  void test('--help lists every command and exits 0', async () => {
    const r = await slipwayCli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const name of ['up', 'runs', 'logs', 'deployments', 'project', 'version']) assert.match(r.stdout, new RegExp(`^  ${name}\\s`, 'm'));
  });

  void test('an unknown command exits 2 and says so', async () => {
    const r = await slipwayCli(['nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "nope"/);
  });

  void test('a command --help exits 0; an unknown option exits 2', async () => {
    const help = await slipwayCli(['runs', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: slipway runs/);
    assert.match(help.stdout, /--limit N/);
    const bad = await slipwayCli(['runs', '--bogus']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--bogus/);
  });

  void test('project create, then project list --json shows it', async () => {
    const created = await slipwayCli(['project', 'create', 'demo']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /project demo/);
    const list = await slipwayCli(['project', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const projects = JSON.parse(list.stdout) as { name: string }[];
    assert.ok(projects.some((p) => p.name === 'demo'), list.stdout);
    const invalid = await slipwayCli(['project', 'create', 'Not Valid']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /invalid project name/);
  });

  void test('runs --json prints a JSON array; deployments --json prints []', async () => {
    const runs = await slipwayCli(['runs', '--json']);
    assert.equal(runs.code, 0, runs.stderr);
    assert.ok(Array.isArray(JSON.parse(runs.stdout)), runs.stdout);
    const deployments = await slipwayCli(['deployments', '--json']);
    assert.equal(deployments.code, 0, deployments.stderr);
    assert.deepEqual(JSON.parse(deployments.stdout), []);
  });

  void test('a wrong SLIPWAY_TOKEN exits 1 and says the token was refused', async () => {
    const r = await slipwayCli(['runs'], childEnv({ SLIPWAY_TOKEN: 'slp_wrong' }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /token/);
    assert.match(r.stderr, /SLIPWAY_TOKEN/);
  });

  void test('an unreachable server exits 1 with "cannot reach"', async () => {
    const r = await slipwayCli(['runs'], childEnv({ SLIPWAY_URL: `http://127.0.0.1:${await freePort()}` }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot reach/);
  });

  void test('no colour codes when stdout is not a terminal, nor on a terminal with NO_COLOR', async () => {
    const piped = await slipwayCli(['project', 'list']);
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /PROJECT/);
    assert.doesNotMatch(piped.stdout + piped.stderr, ansi);

    // Control: on a terminal the header is bold, so the NO_COLOR check below means something.
    const tty = await slipwayOnTty(['project', 'list'], childEnv());
    assert.equal(tty.code, 0, tty.stdout + tty.stderr);
    assert.match(tty.stdout, ansi);

    const noColor = await slipwayOnTty(['project', 'list'], childEnv({ NO_COLOR: '1' }));
    assert.equal(noColor.code, 0, noColor.stdout + noColor.stderr);
    assert.match(noColor.stdout, /PROJECT/);
    assert.doesNotMatch(noColor.stdout, ansi);
  });
});
