// The host executor as the server runs it (runner.host): real users made with useradd, real
// setpriv, real processes. Needs root, as the host executor does.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runExecutorContract } from '../executor.contract.ts';
import { bareJob, eventually, sleepers, uniqueSeconds } from '../contract-support.ts';
import { HostIsolation } from './host-isolation.ts';
import { JobUsers } from './job-users.ts';
import { ShellExecutor } from './shell-executor.ts';
import { processesOf } from './user-processes.ts';

const users = new JobUsers();
const isolated = () => new ShellExecutor({ killGraceMs: 300, isolation: new HostIsolation(users, { killGraceMs: 300 }) });

runExecutorContract('shell, isolated', async () => isolated());

describe('the isolated host executor', () => {
  let root = '';
  let workspace = '';
  let files = '';
  let dataDir = '';
  let executor: ShellExecutor;
  const run = async (script: string, env: Record<string, string> = {}) => {
    let output = '';
    const outcome = await executor.run({ script, cwd: workspace, env: { GITHUB_ENV: join(files, 'env'), ...env }, onOutput: (t) => (output += t) });
    return { ...outcome, output };
  };

  before(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'slipway-hostjob-')));
    await chmod(root, 0o755); // As the runner makes a job's directory.
    workspace = join(root, 'workspace');
    files = join(root, 'files');
    await mkdir(workspace);
    await mkdir(files);
    await writeFile(join(files, 'env'), '');
    await writeFile(join(workspace, 'checked-out.txt'), 'from the runner\n');
    // A stand-in for the data dir, private as restrictDataDir leaves it.
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-fake-data-'));
    await writeFile(join(dataDir, 'admin.token'), 'the-admin-token\n', { mode: 0o600 });
    process.env.SLIPWAY_SERVER_ONLY_SENTINEL = 'server-env-leaked';
    executor = isolated();
    await executor.setup({ ...bareJob(workspace), volumes: [`${files}:${files}`] });
  });
  after(async () => {
    delete process.env.SLIPWAY_SERVER_ONLY_SENTINEL;
    await executor.teardown();
    await rm(root, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a step runs as an unprivileged job user with no groups and no way back to root', async () => {
    const result = await run('id -u; id -un; id -G; grep NoNewPrivs /proc/self/status; sudo -n true 2>/dev/null && echo ROOT-AGAIN || true');
    const [uid, name, groups, nnp] = result.output.trim().split('\n');
    assert.equal(result.exitCode, 0, result.output);
    assert.notEqual(uid, '0');
    assert.match(name ?? '', /^slipway-job-\d+$/);
    assert.equal(groups?.split(' ').length, 1, 'only its own group');
    assert.match(nnp ?? '', /NoNewPrivs:\s+1/);
    assert.doesNotMatch(result.output, /ROOT-AGAIN/);
  });

  test('its environment is clean: never the server\'s, only the step\'s and a fixed base', async () => {
    const result = await run('env', { STEP_VAR: 'mine', GITHUB_SHA: 'abc' });
    const env = Object.fromEntries(result.output.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(env.SLIPWAY_SERVER_ONLY_SENTINEL, undefined);
    assert.deepEqual([env.STEP_VAR, env.GITHUB_SHA, env.LANG], ['mine', 'abc', 'C.UTF-8']);
    assert.equal(env.PATH, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    assert.match(env.HOME ?? '', /slipway-job-\d+-home-/);
    const onServerPath = await run('echo "$PATH"', { PATH: `/ws/bin:${process.env.PATH}` });
    assert.equal(onServerPath.output.trim(), '/ws/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'the server\'s PATH is replaced below $GITHUB_PATH entries');
  });

  test('it owns its workspace and HOME, and writes $GITHUB_ENV, but cannot read the data dir', async () => {
    const result = await run(`cat checked-out.txt && echo new > made.txt && echo hi > "$HOME/x" && echo A=1 >> "$GITHUB_ENV"
      cat ${dataDir}/admin.token && echo READ-TOKEN; ls ${dataDir} && echo LISTED; true`);
    assert.equal(result.exitCode, 0, result.output);
    assert.match(result.output, /from the runner/);
    assert.doesNotMatch(result.output, /READ-TOKEN|LISTED|the-admin-token/);
    assert.match(result.output, /Permission denied/);
    assert.equal(await readFile(join(files, 'env'), 'utf8'), 'A=1\n');
    assert.notEqual((await stat(workspace)).uid, 0);
    assert.equal((await stat(join(workspace, 'made.txt'))).uid, (await stat(workspace)).uid);
  });

  test('a step cannot swap a file-command file for a symlink the runner would follow as root', async () => {
    const result = await run(`rm -f "$GITHUB_ENV" && echo REMOVED; ln -sf /etc/shadow "$GITHUB_ENV" && echo LINKED; true`);
    assert.doesNotMatch(result.output, /REMOVED|LINKED/);
    assert.equal((await stat(join(files, 'env'))).isFile(), true);
  });

  test('what the runner writes into the workspace as root is handed to the job user before the next step', async () => {
    await mkdir(join(workspace, 'restored/deep'), { recursive: true });
    await writeFile(join(workspace, 'restored/deep/cache.bin'), 'x');
    await symlink('/etc/hostname', join(workspace, 'restored/link'));
    const result = await run('echo more >> restored/deep/cache.bin && rm -rf restored/deep && echo OK');
    assert.match(result.output, /OK/, result.output);
    assert.equal((await stat('/etc/hostname')).uid, 0, 'a symlink is not followed');
  });
});

test('the job\'s end kills every process its user left, setsid and double-forked ones too, and its temp files', async () => {
  const workspace = await realpath(await mkdtemp(join(tmpdir(), 'slipway-hostjob-')));
  const executor = isolated();
  await executor.setup(bareJob(workspace));
  const [a, b, c] = [uniqueSeconds(), uniqueSeconds(), uniqueSeconds()];
  const result = await executor.run({
    script: `setsid sleep ${a} & (setsid sh -c 'sleep ${b} & exit' &) ; nohup sleep ${c} >/dev/null 2>&1 & echo left > /tmp/slipway-left-$$-behind; echo started`,
    cwd: workspace, env: {}, onOutput: () => {},
  });
  assert.equal(result.exitCode, 0);
  await eventually(async () => (await sleepers(a)).length + (await sleepers(b)).length + (await sleepers(c)).length === 3, 3000, 'the three sleeps to start');
  const uid = (await stat(workspace)).uid;
  await executor.teardown();
  try {
    assert.deepEqual([...(await sleepers(a)), ...(await sleepers(b)), ...(await sleepers(c))], []);
    assert.deepEqual(await processesOf(uid), []);
    const left = (await import('node:fs')).readdirSync('/tmp').filter((f) => f.startsWith('slipway-left-'));
    assert.deepEqual(left, [], 'its files in /tmp are removed');
  } finally {
    for (const pid of [...(await sleepers(a)), ...(await sleepers(b)), ...(await sleepers(c))]) process.kill(pid, 'SIGKILL');
    await rm(workspace, { recursive: true, force: true });
  }
});

test('two jobs at once run as two different users', async () => {
  const [w1, w2] = await Promise.all([1, 2].map(async () => realpath(await mkdtemp(join(tmpdir(), 'slipway-hostjob-')))));
  const [e1, e2] = [isolated(), isolated()];
  await Promise.all([e1.setup(bareJob(w1!)), e2.setup(bareJob(w2!))]);
  try {
    const ids = await Promise.all([e1, e2].map(async (e, i) => {
      let out = '';
      await e.run({ script: 'id -u', cwd: [w1, w2][i]!, env: {}, onOutput: (t) => (out += t) });
      return out.trim();
    }));
    assert.notEqual(ids[0], ids[1]);
    let denied = '';
    await e1.run({ script: `ls ${w2} 2>&1 || true`, cwd: w1!, env: {}, onOutput: (t) => (denied += t) });
    assert.match(denied, /Permission denied/, 'one job cannot read the other\'s workspace');
  } finally {
    await Promise.all([e1.teardown(), e2.teardown()]);
    await Promise.all([w1!, w2!].map((w) => rm(w, { recursive: true, force: true })));
  }
});
